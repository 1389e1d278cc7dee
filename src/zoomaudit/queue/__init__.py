"""The work queue for several processes: procrastinate on zoomaudit's PostgreSQL database.

``app.py`` makes the procrastinate App and reads the queue's timings; ``jobs.py`` holds the jobs
(audit an account, pre-session check, apply fixes, send notifications), each calling the code path
the single process calls; ``enqueue.py`` is how the scheduler and the web process put work in;
``worker.py`` runs ``zoomaudit worker``. docs/architecture.md, "Several workers", draws it.
"""
