/** `npm start`'s supervision (scripts/supervise.ts) over two stand-in children, for the supervisor test. */
import { superviseChildren } from "../../scripts/supervise";

const child = "test/integration/self-healing-supervisor-child.ts";
superviseChildren({
  cwd: process.cwd(),
  env: process.env,
  pidDir: process.env.PID_DIR!,
  children: [
    { name: "web server", file: child, env: { ROLE: "web" } },
    { name: "worker", file: child, env: { ROLE: "worker" }, onCrash: () => console.log("worker crash noticed") },
  ],
  afterStop: async () => console.log("after stop"),
});
