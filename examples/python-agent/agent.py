"""A Python agent reporting to the obs collector with the standard library only.

    python3 agent.py http://127.0.0.1:4610          # the collector's URL (see apps/collector)

It posts one run as a batch (the envelope is plain JSON with snake_case fields), then an invalid
event to show the 400 the collector answers with, and prints what came back.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid


def uuid7() -> str:
    """A UUIDv7 (time-ordered), so the agent can name its events and link children to parents."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = (rand >> 62) & 0xFFF  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    value = (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return str(uuid.UUID(int=value))


def post(url: str, body) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{url}/v1/events",
        data=json.dumps(body).encode("utf-8"),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:  # 4xx/5xx carry a JSON error body
        return error.code, json.load(error)


def run_events(run_id: str) -> list[dict]:
    common = {"run_id": run_id, "source": "py-agent", "session_id": "py-session-1"}
    span_id = uuid7()
    return [
        {**common, "event_type": "run.started", "payload": {"agent": "py-agent", "goal": "summarise a page"}},
        {
            **common,
            "event_type": "llm.call",
            "parent_event_id": span_id,
            "status": "ok",
            "duration_ms": 812,
            "payload": {
                "provider": "openai",
                "model": "gpt-4o-mini",
                "prompt_tokens": 812,
                "completion_tokens": 96,
                "cost_usd": 0.0003,
                "finish_reason": "stop",
            },
        },
        {
            **common,
            "event_type": "tool.call",
            "parent_event_id": span_id,
            "payload": {"tool": "fetch_page", "call_id": "c1", "arguments": {"url": "https://example.com"}},
        },
        {
            **common,
            "event_type": "tool.result",
            "parent_event_id": span_id,
            "status": "ok",
            "payload": {"tool": "fetch_page", "call_id": "c1", "success": True, "output": "<html>…</html>"},
        },
        {
            **common,
            "event_id": span_id,
            "event_type": "span",
            "status": "ok",
            "duration_ms": 1020,
            "payload": {"operation": "summarise", "component": "Summariser", "layer": "agent"},
        },
        {**common, "event_type": "run.finished", "status": "ok", "payload": {"outcome": "success"}},
    ]


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: agent.py <collector-url>", file=sys.stderr)
        return 2
    url = sys.argv[1].rstrip("/")
    run_id = "py-run-1"

    status, body = post(url, run_events(run_id))
    print(f"POST /v1/events -> {status}: accepted {body.get('accepted')} events")
    print(json.dumps({"status": status, "body": body}))

    status, body = post(url, {"event_type": "llm.call", "run_id": run_id, "payload": {"provider": "openai"}})
    issues = "; ".join(f"{i['path']}: {i['message']}" for i in body["error"]["issues"])
    print(f"POST /v1/events (invalid) -> {status} {body['error']['code']}: {issues}")
    print(json.dumps({"status": status, "body": body}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
