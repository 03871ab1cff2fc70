"""gunicorn's settings for this app, read from the working directory by every `gunicorn` run
(docker-compose, the load benchmark). Command-line flags still win.

Garbage collection: a request builds thousands of short-lived objects (querysets, model
instances, template contexts), and Python's collector runs its youngest generation every 700
allocations and, every so often, walks the older generations too: everything imported at
start-up (Django, the URLconf, the compiled templates). Once a worker has loaded the app those
objects are moved out of the collector's sight (gc.freeze), and the youngest generation is
collected less often: reference counting frees nearly all a request makes, and the collector
only has the few reference cycles left to find.
"""

import gc


def post_worker_init(worker) -> None:  # gunicorn's hook: the worker has loaded the app
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
