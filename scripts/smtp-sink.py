#!/usr/bin/env python3
"""A local SMTP server for the mail tests (needs `pip install aiosmtpd`).

Saves each accepted message as DIR/<n>.eml (written to a temporary name, then renamed, so a
reader never sees half a file) and answers RCPT for recipients whose address starts with
  "reject" -> 550 (permanent: the sender must not retry)
  "busy"   -> 451 (transient: the sender may retry)

Usage: smtp-sink.py --port PORT --dir DIR [--host 127.0.0.1]
Prints "ready HOST:PORT" once it listens; stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import itertools
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("busy"):
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        final = os.path.join(self.directory, "%d.eml" % n)
        tmp = final + ".tmp"
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.replace(tmp, final)
        return "250 OK"


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    loop = asyncio.get_running_loop()
    handler = Sink(args.dir)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink.test"), args.host, args.port
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready %s:%d" % (args.host, args.port), flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except OSError as e:
        print("smtp-sink: %s" % e, file=sys.stderr)
        sys.exit(1)
