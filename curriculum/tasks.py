"""Curriculum background work: imports from git. Thin wrappers: ids in, services do the work."""

from celery import shared_task


@shared_task(acks_late=True)
def import_request_run_task(import_request_id: int) -> str | None:
    """Clone and import one requested git URL; a second delivery does nothing."""
    from .services import import_request_run

    request = import_request_run(import_request_id=import_request_id)
    return request.state if request else None


@shared_task(acks_late=True)
def import_request_sweep() -> int:
    """Queue again the git imports whose enqueue was lost or whose worker died."""
    from .services import import_requests_to_retry

    ids = import_requests_to_retry()
    for import_request_id in ids:
        import_request_run_task.delay(import_request_id)
    return len(ids)
