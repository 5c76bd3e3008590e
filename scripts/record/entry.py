"""Writes one trace entry (src/content/traces/<id>.json) in the shape src/content.config.ts
declares. The expectations come from the recording script's scenario table — what it set up —
never from analysing the capture.

Usage: python3 entry.py OUT_JSON ID TITLE SIDE SCENARIO PAIR STORY SOURCE EXPECTED...
  PAIR may be "-" for none; each EXPECTED is "client clientPort server serverPort verdict where".
"""

import json
import sys


def main() -> None:
    out, trace_id, title, side, scenario, pair, story, source, *expected = sys.argv[1:]
    attempts = []
    for line in expected:
        client, client_port, server, server_port, verdict, where = line.split()
        attempts.append({
            "client": client,
            "clientPort": int(client_port),
            "server": server,
            "serverPort": int(server_port),
            "verdict": verdict,
            "where": where,
        })
    entry = {
        "title": title,
        "story": story,
        "file": f"/traces/{trace_id}.pcapng",
        "side": side,
        "scenario": scenario,
    }
    if pair != "-":
        entry["pair"] = pair
    entry.update({"reconstruction": False, "source": source, "expected": attempts})
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(entry, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


if __name__ == "__main__":
    main()
