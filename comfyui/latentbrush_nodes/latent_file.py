"""The .latent file (safetensors) read with json + torch alone, with the safetensors package's
validation rules (header bounds, contiguous offsets, sizes matching dtype x shape), so a file this
accepts is one `safetensors.torch.load_file` (stock LoadLatent) accepts too. Every problem is a
ValueError naming the file."""
import json
import struct
import sys

import torch

_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
_MAX_HEADER = 100_000_000  # the safetensors package's limit


def read_safetensors(path):
    """(tensors: {name: CPU tensor}, metadata: {str: str}) of a safetensors file."""
    if sys.byteorder != "little":
        raise ValueError(f"{path}: safetensors data is little-endian; this machine is not")
    try:
        with open(path, "rb") as f:
            data = bytearray(f.read())
    except OSError as e:
        raise ValueError(f"{path}: cannot read the file ({e.strerror})") from None
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (only {len(data)} bytes)")
    (n,) = struct.unpack("<Q", bytes(data[:8]))
    if n > _MAX_HEADER or 8 + n > len(data):
        raise ValueError(f"{path}: invalid header length {n} for a {len(data)}-byte file")
    raw_header = bytes(data[8:8 + n])
    if not raw_header.startswith(b"{"):
        raise ValueError(f"{path}: the header is not a JSON object")
    try:
        header = json.loads(raw_header.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise ValueError(f"{path}: __metadata__ must map strings to strings")
    buffer = memoryview(data)[8 + n:]
    entries = []
    for name, info in header.items():
        try:
            dtype_name, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
            shape = [int(d) for d in shape]
            begin, end = int(begin), int(end)
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path}: tensor {name!r} has an invalid entry") from None
        if dtype_name not in _DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has the unsupported dtype {dtype_name}")
        if any(d < 0 for d in shape):
            raise ValueError(f"{path}: tensor {name!r} has a negative dimension")
        entries.append((begin, end, name, _DTYPES[dtype_name], shape))
    entries.sort(key=lambda e: (e[0], e[1]))
    expected = 0
    tensors = {}
    for begin, end, name, dtype, shape in entries:
        if begin != expected or end < begin:
            raise ValueError(f"{path}: tensor {name!r} has invalid data offsets")
        if end > len(buffer):
            raise ValueError(f"{path}: tensor {name!r} ends at byte {end} of the data, which "
                             f"holds only {len(buffer)} (a truncated file?)")
        expected = end
        count = 1
        for d in shape:
            count *= d
        itemsize = torch.empty((), dtype=dtype).element_size()
        if end - begin != count * itemsize:
            raise ValueError(f"{path}: tensor {name!r}: {end - begin} bytes for shape {shape} "
                             f"of {itemsize}-byte values")
        if count == 0:
            tensor = torch.empty(shape, dtype=dtype)
        else:
            tensor = torch.frombuffer(buffer[begin:end], dtype=dtype).reshape(shape).clone()
        tensors[name] = tensor
    if expected != len(buffer):
        raise ValueError(f"{path}: {len(buffer) - expected} bytes after the last tensor")
    return tensors, dict(metadata)
