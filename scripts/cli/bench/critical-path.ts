/**
 * Reports the critical path of the deployment (scripts/lib/criticalPath.ts) for prod-shaped topologies of several
 * sizes: `npm run critical-path [-- --sizes 1,8,64]`. The length must be the same for every size.
 */
import { Command } from "commander";
import { evaluate } from "../../lib/evaluate";
import { criticalPath } from "../../lib/criticalPath";
import { benchTopology } from "./topologies";

async function main(): Promise<void> {
  const opts = new Command()
    .option("--sizes <list>", "shard counts", "1,8,64")
    .parse(process.argv)
    .opts<{ sizes: string }>();
  for (const n of opts.sizes.split(",").map(Number)) {
    const doc = await evaluate(benchTopology(n));
    const { chain, commands } = criticalPath(doc);
    console.log(
      `${n} shards: ${doc.resources.length} resources; critical path ${chain.length} resources, ${commands.length} remote commands`,
    );
    console.log(`  ${chain.map((r) => r.name).join(" -> ")}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
