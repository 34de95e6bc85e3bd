/* bp-onnx.h — a trained network as an ONNX model, for Netron, ONNX Runtime and PyTorch
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The graph takes "input", float32 [N, 1, H, W] (N dynamic; for MNIST H = W = 28, pixels in
 * [0, 1] with light ink on dark, the scaling of our MNIST loader), and gives "output", float32
 * [N, n_out]: what `backprop-cli classify` prints — softmax probabilities, or the output
 * neurons' sigmoid activations. Default ONNX domain, opset BP_ONNX_OPSET. Only what inference
 * needs is written: no dropout (at inference it is the identity, and inverted dropout needs no
 * rescaling), no cost, no momentum or other training state. The model's metadata says who made
 * it (producer "Backprop" and the package version) and, in metadata_props, the layers, the
 * functions, the cost it was trained with and, when the history has it, the last measured test
 * accuracy.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-error.h"
#include "bp-model-io.h"
#include "bp-network.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BP_ONNX_OPSET      13
#define BP_ONNX_IR_VERSION 7   /* the IR version that goes with opset 13 (ONNX 1.8) */

#define BP_ONNX_INPUT_NAME  "input"
#define BP_ONNX_OUTPUT_NAME "output"

/* @net (and @info, may be NULL: no history, no accuracy) as the bytes of an ONNX ModelProto.
 * Returns a g_malloc'ed buffer and its length in *@len, or NULL with @error set when the
 * network cannot be represented; the message then names the layer and the problem, after
 * @name (the target file, in messages). Refused: an input that is not a square picture,
 * parameters that are NaN or infinite, a model too large for one protobuf (2 GiB). */
uint8_t *bp_onnx_pack (const BpNetwork   *net,
                       const BpModelInfo *info,
                       const char        *name,
                       size_t            *len,
                       BpError           *error);

/* bp_onnx_pack() written to @path with bp_save_file(): a temporary file beside @path, fsynced
 * and renamed over it. On any failure @path is untouched, no temporary file is left, and the
 * message is "<path>: not saved: <why>" (BP_ERROR_INVALID for a network that cannot be
 * represented, BP_ERROR_IO for the file). */
bool bp_onnx_save (const BpNetwork   *net,
                   const BpModelInfo *info,
                   const char        *path,
                   BpError           *error);

#ifdef __cplusplus
}
#endif
