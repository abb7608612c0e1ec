import { z } from "zod";

// Runs in the browser before the app's code. Zod compiles object parsers with `new Function` when eval
// is allowed, and its probe for that is reported as a CSP violation under our script-src (no
// 'unsafe-eval'); jitless parsing never tries.
z.config({ jitless: true });
