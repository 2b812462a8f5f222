// node compare.js A.json B.json TOLERANCE: exits 1 when two nested arrays differ by more.
const fs = require("fs");
const [a, b, tol] = process.argv.slice(2);
const flat = (x) => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const x = flat(JSON.parse(fs.readFileSync(a, "utf8")));
const y = flat(JSON.parse(fs.readFileSync(b, "utf8")));
if (x.length !== y.length) {
  console.error(`${a} has ${x.length} numbers, ${b} ${y.length}`);
  process.exit(1);
}
const worst = Math.max(...x.map((v, i) => Math.abs(v - y[i])));
console.log(`largest difference ${worst}`);
process.exit(worst <= Number(tol) ? 0 : 1);
