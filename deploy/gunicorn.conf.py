"""gunicorn's settings for ICC Tracker behind nginx (deploy/nginx/tracker.conf), started by
deploy/systemd/tracker-web.service:

    gunicorn -c deploy/gunicorn.conf.py "tracker:create_app()"

Every value can be overridden by the environment named beside it."""

import gc
import multiprocessing
import os

# Only the proxy on this host talks to the app.
bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
# Two per core and one: requests wait mostly on the database. With more than one worker (or
# host), TRACKER_REDIS_URL must be set: `flask --app tracker check --workers N` says so.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# An import of 10,000 rows takes seconds; nothing should take a minute.
timeout = int(os.environ.get("TRACKER_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (and a few more, so they do not all go at once).
max_requests = 2000
max_requests_jitter = 200
# The app reads the client's address from X-Forwarded-For itself, only from TRACKER_TRUSTED_
# PROXIES (tracker/proxies.py); gunicorn believes forwarded headers from the local proxy only.
forwarded_allow_ips = os.environ.get("TRACKER_FORWARDED_ALLOW_IPS", "127.0.0.1")
# One access line a request, with nginx's request id, so a line of nginx's log and one of the
# app's can be matched.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}i)s'
errorlog = "-"
loglevel = os.environ.get("TRACKER_LOG_LEVEL", "info")
# The app is imported once and forked: workers share its memory until they write.
preload_app = True


# What exists once the app is loaded (code, templates, the models' metadata: some hundred
# thousand objects) lives as long as the worker. Frozen, the garbage collector no longer walks
# it: a full collection took about 75 ms of whichever request set it off, now a few. Frozen in
# the parent before each fork (the app is preloaded), so the workers' collections do not touch,
# and copy, the pages they share; and in each worker once it has loaded the app, should it load
# it itself.


def pre_fork(_server, _worker):
    gc.freeze()


def post_worker_init(_worker):
    gc.collect()
    gc.freeze()
