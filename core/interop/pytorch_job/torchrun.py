#!/usr/bin/env python3
"""torchrun, for the PyTorch releases whose own torchrun stops before it starts.

    python3 torchrun.py --standalone --nproc_per_node=N train.py

takes torchrun's arguments and does what torchrun does. PyTorch 1.13 on Python 3.11 (the
pair Debian 12 ships) stops at once with "AttributeError: 'NoneType' object has no attribute
'get'": its reading of --redirects and --tee relies on how Python before 3.11 lists the members
of a flag enumeration. This reads those two arguments as torchrun means them; with any other
PyTorch it changes nothing.
"""
import sys

from torch.distributed.elastic.multiprocessing import api


def _from_str(cls, text):
    """`3` for every process, or `0:3,1:1` per local rank, as torchrun documents them."""
    if ":" not in text:
        return cls(int(text))
    return {int(rank): cls(int(value)) for rank, value in (item.split(":") for item in text.split(","))}


if api.Std.from_str("0") is None:
    api.Std.from_str = classmethod(_from_str)

from torch.distributed.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
