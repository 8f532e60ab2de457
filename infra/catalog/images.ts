/** Container images gamedb defaults to. Constants only. */

/** Oracle's community router image, pinned to the server version. */
export function routerImage(mysqlVersion: string): string {
  return `container-registry.oracle.com/mysql/community-router:${mysqlVersion}`;
}
