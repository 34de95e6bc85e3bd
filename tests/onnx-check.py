#!/usr/bin/env python3
# tests/onnx-check.py — test-onnx-runtime.sh's Python half: an exported model through ONNX's checker
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   onnx-check.py MODEL.onnx LAYERS OPS [TEST_ACCURACY]
#
# Runs onnx.checker.check_model (with full_check, ONNX's shape inference, where this ONNX has
# it), then checks what Backprop promises of the file: opset 13 or later, producer "Backprop",
# input "input" float32 [N, 1, 28, 28] and output "output" float32 [N, 10] with N dynamic, the
# node types OPS (comma-separated, in order), the metadata "layers" = LAYERS and, when given,
# "test_accuracy" = TEST_ACCURACY. Prints one line "nodes …" and exits 0, or prints what is
# wrong and exits 1.

import inspect
import sys

import onnx


def shape(value_info):
    tensor = value_info.type.tensor_type
    dims = [d.dim_param if d.HasField("dim_param") else d.dim_value for d in tensor.shape.dim]
    return tensor.elem_type, dims


def main():
    path, layers, ops = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    accuracy = sys.argv[4] if len(sys.argv) > 4 else None
    model = onnx.load(path)
    if "full_check" in inspect.signature(onnx.checker.check_model).parameters:
        onnx.checker.check_model(model, full_check=True)
    else:
        onnx.checker.check_model(model)

    problems = []
    opset = {o.domain: o.version for o in model.opset_import}
    if opset.get("", 0) < 13:
        problems.append(f"opset {opset}")
    if model.producer_name != "Backprop" or not model.producer_version:
        problems.append(f"producer '{model.producer_name}' '{model.producer_version}'")
    graph = model.graph
    float32 = onnx.TensorProto.FLOAT
    if [i.name for i in graph.input] != ["input"] or shape(graph.input[0]) != (float32, ["N", 1, 28, 28]):
        problems.append(f"input {[(i.name, shape(i)) for i in graph.input]}")
    if [o.name for o in graph.output] != ["output"] or shape(graph.output[0]) != (float32, ["N", 10]):
        problems.append(f"output {[(o.name, shape(o)) for o in graph.output]}")
    found = [n.op_type for n in graph.node]
    if found != ops:
        problems.append(f"nodes {found}, expected {ops}")
    metadata = {p.key: p.value for p in model.metadata_props}
    if metadata.get("layers") != layers:
        problems.append(f"metadata layers '{metadata.get('layers')}', expected '{layers}'")
    if accuracy is not None and metadata.get("test_accuracy") != accuracy:
        problems.append(f"metadata test_accuracy '{metadata.get('test_accuracy')}', expected '{accuracy}'")

    if problems:
        print(f"{path}: " + "; ".join(problems))
        return 1
    print("nodes " + " ".join(f"{n.op_type}({n.name})" for n in graph.node))
    return 0


if __name__ == "__main__":
    sys.exit(main())
