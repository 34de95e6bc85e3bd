// tests/onnx-runtime.js — test-onnx-runtime.sh's Node.js half: MNIST test images as PNG files, and an
// exported model run in ONNX Runtime (onnxruntime-node) against `backprop-cli classify`
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node onnx-runtime.js pngs MNIST_DIR N OUT_DIR
//       write the first N test images as 28×28 8-bit grey PNGs OUT_DIR/t10k-00000.png …
//   node onnx-runtime.js compare ORT_MODULE MODEL.onnx MNIST_DIR N CLASSIFY_OUTPUT
//       run MODEL.onnx in ONNX Runtime (the module's folder ORT_MODULE) on the same N images,
//       as one batch [N, 1, 28, 28] of bytes / 255, and compare with what `backprop-cli classify
//       --raw --full-precision` printed for their PNGs: the same digit for every image and
//       every output within 1e-5. Prints "images N digits_same D max_abs_diff X"; exits 1 on a
//       difference, 2 on bad input.
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const TOLERANCE = 1e-5;

function die (message)
{
  process.stderr.write(`onnx-runtime.js: ${message}\n`);
  process.exit(2);
}

// The first n images of t10k-images-idx3-ubyte, raw or gzipped, as one buffer of n × 784 bytes.
function readTestImages (dir, n)
{
  let bytes;
  const raw = path.join(dir, 't10k-images-idx3-ubyte');
  if (fs.existsSync(raw))
    bytes = fs.readFileSync(raw);
  else if (fs.existsSync(raw + '.gz'))
    bytes = zlib.gunzipSync(fs.readFileSync(raw + '.gz'));
  else
    die(`no t10k-images-idx3-ubyte in ${dir}`);
  if (bytes.readUInt32BE(0) !== 0x803 || bytes.readUInt32BE(8) !== SIDE ||
      bytes.readUInt32BE(12) !== SIDE || bytes.readUInt32BE(4) < n)
    die(`${raw}: not an IDX file of at least ${n} 28×28 images`);
  return bytes.subarray(16, 16 + n * PIXELS);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++)
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32 (buffer)
{
  let c = 0xffffffff;
  for (const byte of buffer)
    c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk (type, data)
{
  const head = Buffer.alloc(8);
  const tail = Buffer.alloc(4);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  tail.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, tail]);
}

// A 28×28 8-bit greyscale PNG (colour type 0), each row behind filter byte 0: lossless, so the
// decoder gives back the very bytes.
function greyPng (pixels)
{
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIDE, 0);
  header.writeUInt32BE(SIDE, 4);
  header[8] = 8;
  header[9] = 0;
  const rows = Buffer.alloc(SIDE * (SIDE + 1));
  for (let y = 0; y < SIDE; y++)
    pixels.copy(rows, y * (SIDE + 1) + 1, y * SIDE, (y + 1) * SIDE);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngName (i)
{
  return `t10k-${String(i).padStart(5, '0')}.png`;
}

function writePngs (dir, n, outDir)
{
  const images = readTestImages(dir, n);
  fs.mkdirSync(outDir, { recursive: true });
  for (let i = 0; i < n; i++)
    fs.writeFileSync(path.join(outDir, pngName(i)), greyPng(images.subarray(i * PIXELS, (i + 1) * PIXELS)));
}

// classify's lines, "FILE DIGIT P0 … P9", by image index.
function readClassify (file, n)
{
  const rows = new Array(n);
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '')
      continue;
    const fields = line.split(' ');
    const match = /t10k-(\d{5})\.png$/.exec(fields[0]);
    if (match === null || fields.length < 3)
      die(`${file}: unexpected line '${line}'`);
    rows[Number(match[1])] = { digit: Number(fields[1]), outputs: fields.slice(2).map(Number) };
  }
  for (let i = 0; i < n; i++)
    if (rows[i] === undefined)
      die(`${file}: no line for ${pngName(i)}`);
  return rows;
}

async function compare (ortModule, model, dir, n, classifyFile)
{
  const ort = require(ortModule);
  const images = readTestImages(dir, n);
  const expected = readClassify(classifyFile, n);
  // The MNIST loader's scaling: each byte / 255, rounded once to float32.
  const x = new Float32Array(n * PIXELS);
  for (let i = 0; i < x.length; i++)
    x[i] = images[i] / 255;

  const session = await ort.InferenceSession.create(model);
  const result = await session.run({ input: new ort.Tensor('float32', x, [n, 1, SIDE, SIDE]) });
  const output = result.output;
  if (output === undefined || output.dims.length !== 2 || output.dims[0] !== n)
    die(`${model}: the output is not [${n}, classes]`);
  const classes = output.dims[1];

  let same = 0;
  let maxDiff = 0;
  let worst = 0;
  let outside = 0;  // outputs beyond the tolerance, NaN included
  for (let i = 0; i < n; i++) {
    const row = output.data.subarray(i * classes, (i + 1) * classes);
    let best = 0;
    for (let k = 1; k < classes; k++)
      if (row[k] > row[best])
        best = k;
    if (best === expected[i].digit)
      same++;
    else
      process.stderr.write(`${pngName(i)}: ONNX Runtime reads ${best}, classify ${expected[i].digit}\n`);
    if (expected[i].outputs.length !== classes)
      die(`${classifyFile}: ${pngName(i)} has ${expected[i].outputs.length} outputs, ONNX Runtime ${classes}`);
    for (let k = 0; k < classes; k++) {
      const diff = Math.abs(row[k] - expected[i].outputs[k]);
      if (!(diff <= TOLERANCE))
        outside++;
      if (diff > maxDiff) {
        maxDiff = diff;
        worst = i;
      }
    }
  }
  console.log(`images ${n} digits_same ${same} max_abs_diff ${maxDiff.toExponential(3)} ` +
              `worst ${pngName(worst)} outside_tolerance ${outside}`);
  return same === n && outside === 0;
}

async function main ()
{
  const [command, ...args] = process.argv.slice(2);
  if (command === 'pngs' && args.length === 3) {
    writePngs(args[0], Number(args[1]), args[2]);
  } else if (command === 'compare' && args.length === 5) {
    if (!await compare(args[0], args[1], args[2], Number(args[3]), args[4]))
      process.exit(1);
  } else {
    die('usage: pngs MNIST_DIR N OUT_DIR | compare ORT_MODULE MODEL.onnx MNIST_DIR N CLASSIFY_OUTPUT');
  }
}

main().catch((error) => die(error.stack || String(error)));
