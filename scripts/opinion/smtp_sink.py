"""A local SMTP sink for tests (Python standard library only): accepts mail on 127.0.0.1 and writes each message's DATA
to OUT_DIR/N.eml, the envelope to OUT_DIR/N.env ("from TAB to"). Prints "READY <port>" once listening.

Usage: smtp_sink.py OUT_DIR [PORT]   (port 0 = any free port). Stops on SIGTERM, when its standard input closes
(the test that started it ended) or after 10 minutes.
"""
import os, signal, socketserver, sys, threading

# A parent may start us with signals blocked (Foundation's Process inherits the thread's mask): unblock them.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])

OUT = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0
os.makedirs(OUT, exist_ok=True)
counter = [0]
lock = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 sink ESMTP")
        sender, rcpts = "", []
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            cmd = line[:4].upper()
            if cmd == "EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif cmd == "HELO":
                self.reply("250 sink")
            elif cmd == "MAIL":
                sender, rcpts = line[10:].strip(), []
                self.reply("250 OK")
            elif cmd == "RCPT":
                addr = line[8:].strip()
                if "reject" in addr:
                    self.reply("550 no such user")
                else:
                    rcpts.append(addr)
                    self.reply("250 OK")
            elif cmd == "DATA":
                self.reply("354 end with .")
                lines = []
                while True:
                    l = self.rfile.readline(65536)
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    lines.append(l)
                with lock:
                    counter[0] += 1
                    n = counter[0]
                with open(os.path.join(OUT, "%d.eml" % n), "wb") as f:
                    f.write(b"".join(lines))
                with open(os.path.join(OUT, "%d.env" % n), "w") as f:
                    f.write("%s\t%s\n" % (sender, ",".join(rcpts)))
                self.reply("250 queued")
            elif cmd == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


server = Server(("127.0.0.1", PORT), Handler)
timer = threading.Timer(600, server.shutdown)
timer.daemon = True
timer.start()


def watch_stdin():
    while sys.stdin.buffer.read(4096):
        pass
    server.shutdown()


threading.Thread(target=watch_stdin, daemon=True).start()
print("READY %d" % server.server_address[1], flush=True)
server.serve_forever()
