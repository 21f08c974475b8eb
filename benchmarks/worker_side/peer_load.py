"""Send job ids (a JSON list on stdin) with a peer's own client: `python peer_load.py PEER`."""

import asyncio
import importlib
import inspect
import json
import sys

peer = importlib.import_module(f"peer_{sys.argv[1]}")
ids = json.load(sys.stdin)
sent = peer.enqueue(ids)
if inspect.iscoroutine(sent):
    asyncio.run(sent)
