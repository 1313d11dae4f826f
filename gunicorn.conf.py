"""gunicorn's settings for serving the app: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each setting can be changed from the environment (docs/deployment.md):

- `BIND`: the address to listen on; loopback, for nginx in front. Default 127.0.0.1:5000.
- `WEB_CONCURRENCY`: worker processes. Default: one when rate limits are counted in
  memory (RATELIMIT_STORAGE_URI unset), so one process sees every attempt; otherwise
  two per CPU and one more.
- `THREADS`: threads per worker. Default 4: a request spends much of its time waiting
  for the database or the lock on a session's places.
- `ACCESS_LOG`: where gunicorn logs each request (`-` is standard output), by its path
  alone. Default: none, since the app logs every request itself as a JSON line with its
  request id and no personal data (app/logs.py).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:5000").split(",")

limits_in_memory = os.environ.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://")
workers = int(
    os.environ.get("WEB_CONCURRENCY")
    or (1 if limits_in_memory else 2 * multiprocessing.cpu_count() + 1)
)
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))

# Long enough for the first build of a prospectus PDF after a change (5 to 8 s on 2 busy
# cores, bench/README.md) with plenty to spare; a request stuck longer is killed.
timeout = 60
graceful_timeout = 30
# nginx keeps connections to the app open between requests.
keepalive = 5
# Workers are not replaced after a number of requests: a new one imports the app and
# compiles its templates again, seconds of CPU in which it answers nothing
# (bench/README.md, "scale.py").

accesslog = os.environ.get("ACCESS_LOG") or None
# The path without its query string, which may hold an address searched for, and no
# client address: the logs hold no personal data.
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = "info"

# Whether a request came over https is read by the app alone, from the headers of the
# TRUSTED_PROXIES proxies in front of it; gunicorn believes no such header itself.
secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = ""
# gunicorn's control socket is one per user by default, so two servers on one machine
# would share it; the app is run by its service manager, not through that socket.
control_socket_disable = True


def post_worker_init(worker) -> None:
    """Set aside every object the worker made loading the app (about 200,000: modules,
    models, forms) from the garbage collector's full collections. They live as long as
    the worker, yet each full collection scanned them all, holding every request in the
    worker for 100 to 200 ms: the slowest answers of every page (bench/README.md,
    "public_pages.py")."""
    gc.collect()
    gc.freeze()
