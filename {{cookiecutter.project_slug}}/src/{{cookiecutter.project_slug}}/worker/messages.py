"""The message that runs a job, as kombu's Redis transport stores it, built without kombu.

The API publishes one of these per `POST /jobs`. Kombu's producer is blocking, so publishing
through it meant a hop to a worker thread and back for every request, about half the API's
CPU per request (benchmarks/README.md). Here Celery builds the task message itself (headers
and body, `app.amqp.create_task_message`, the same code `send_task` uses), and this module only
wraps it the way kombu's Redis transport does (the JSON envelope, the base64 body) so the
API's own `redis.asyncio` client can LPUSH it onto the queue's list. A template test
compares it, field by field, with what `send_task` writes.

What `send_task` does and this does not: the `before_task_publish` / `after_task_publish`
signals, and declaring the queue's exchange binding (a worker declares its queues itself).
"""

import base64
import json
from uuid import UUID, uuid4

from celery import Celery
from kombu.serialization import dumps

from .celery_app import job_task_name

#: kombu's default priority, which the Redis transport keeps on the queue's own list.
DEFAULT_PRIORITY = 0
#: AMQP's "persistent", which kombu sets on every message Celery sends.
PERSISTENT = 2


def queue_key(celery: Celery, queue: str) -> str:
    """The Redis list a worker consuming `queue` pops from (with the broker's key prefix)."""
    options = celery.conf.broker_transport_options or {}
    return f"{options.get('global_keyprefix', '')}{queue}"


def job_message(celery: Celery, queue: str, job_id: UUID, **limits: float) -> str:
    """The envelope kombu's Redis transport would LPUSH for `send_job_message(celery, queue,
    job_id, **limits)`; `limits` are `soft_time_limit` and `time_limit`, if any."""
    task_id = str(uuid4())
    message = celery.amqp.create_task_message(
        task_id,
        job_task_name(queue),
        [str(job_id)],
        {},
        reply_to=celery.thread_oid,
        ignore_result=None,  # what send_task sends when the call does not say
        **limits,
    )
    content_type, content_encoding, body = dumps(message.body, serializer="json")
    raw = body.encode(content_encoding) if isinstance(body, str) else body
    return json.dumps(
        {
            "body": base64.b64encode(raw).decode("ascii"),
            "content-encoding": content_encoding,
            "content-type": content_type,
            "headers": message.headers,
            "properties": {
                **message.properties,
                "delivery_mode": PERSISTENT,
                "delivery_info": {"exchange": "", "routing_key": queue},
                "priority": DEFAULT_PRIORITY,
                "body_encoding": "base64",
                "delivery_tag": str(uuid4()),
            },
        }
    )
