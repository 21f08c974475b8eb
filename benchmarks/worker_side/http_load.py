"""POST /jobs from C concurrent clients until N requests are answered; prints one JSON line.

`python http_load.py URL N C [WARMUP]`: each client is a keep-alive aiohttp session posting
`{"kind": "echo", "payload": {"message": "n<i>"}}` with the X-API-Key header. The first
WARMUP answers are not timed. Every answer must be 202.
Output: {"rate": requests/s, "p50_ms", "p99_ms", "statuses"}.
"""

import asyncio
import json
import sys
import time

import aiohttp


async def main(url: str, n: int, clients: int, warmup: int) -> dict[str, object]:
    latencies: list[float] = []
    finished: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(n))

    async def client() -> None:
        async with aiohttp.ClientSession(headers={"X-API-Key": "bench"}) as session:
            for i in counter:
                started = time.perf_counter()
                body = {"kind": "echo", "payload": {"message": f"n{i}"}}
                async with session.post(url, json=body) as answer:
                    await answer.read()
                    status = answer.status
                now = time.perf_counter()
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(now - started)
                finished.append(now)

    await asyncio.gather(*(client() for _ in range(clients)))
    timed = sorted(latencies[warmup:])
    rate = (n - warmup) / (finished[-1] - finished[warmup - 1]) if warmup else n / 1
    return {
        "rate": rate,
        "p50_ms": 1000 * timed[len(timed) // 2],
        "p99_ms": 1000 * timed[min(len(timed) - 1, int(len(timed) * 0.99))],
        "statuses": {str(k): v for k, v in statuses.items()},
    }


if __name__ == "__main__":
    url, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    warm = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    print(json.dumps(asyncio.run(main(url, n, c, warm))))
