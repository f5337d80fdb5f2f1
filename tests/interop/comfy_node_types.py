#!/usr/bin/python3
"""Prints the node package's node types as JSON, for the workflow test: for each class of
NODE_CLASS_MAPPINGS its inputs ({name: type}, a file list as "COMBO"), required and optional, and
its outputs (types and names). Runs with a stand-in for ComfyUI's folder_paths over an empty
folder.

  comfy_node_types.py SOURCE_DIR EMPTY_DIR
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree


def main(argv):
    source_dir, empty_dir = argv[1], argv[2]
    sys.path.insert(0, os.path.join(source_dir, "tests", "interop"))
    from comfy_nodes_check import folder_paths_stand_in
    sys.modules["folder_paths"] = folder_paths_stand_in(empty_dir)
    sys.path.insert(0, os.path.join(source_dir, "comfyui"))
    import latentbrush_nodes

    out = {}
    for name, cls in latentbrush_nodes.NODE_CLASS_MAPPINGS.items():
        types = cls.INPUT_TYPES()
        entry = {"outputs": list(cls.RETURN_TYPES),
                 "output_names": list(getattr(cls, "RETURN_NAMES", cls.RETURN_TYPES)),
                 "display_name": latentbrush_nodes.NODE_DISPLAY_NAME_MAPPINGS.get(name, name)}
        for group in ("required", "optional"):
            entry[group] = {k: (v[0] if isinstance(v[0], str) else "COMBO")
                            for k, v in types.get(group, {}).items()}
        out[name] = entry
    print(json.dumps(out, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
