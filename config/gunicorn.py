"""How the web is served (gunicorn's configuration file), for every way it starts: the container
(scripts/start-web.sh, docker-compose.yml), the production-like run (scripts/prodlike.sh) and the
benchmark (bench/run.py, stage d), so what the bench measures is what we deploy.

    gunicorn -c config/gunicorn.py config.wsgi:application --bind ADDRESS

Worker model: gthread, WEB_WORKERS processes (default 2, one per CPU) of WEB_THREADS threads
(default 4). Chosen on #20 d's load, 50 applicants submitting at once on 2 CPUs with the robot's
workers and PostgreSQL on the same machine (bench stage d, quick, 150 measured submits; four
runs of each, alternating, on a machine shared with other work, load average 4-7):

    model            submits/s (median)   submit p95 (range)   CPU per submit   floor p95
    sync, 2          19.3-24.8 (20.9)     2.6-4.1 s            21.5-24.9 ms     0.5-1.0 s
    gthread, 2 × 4   16.5-19.9 (18.1)     3.2-3.4 s            22.7-24.6 ms     0.4-0.9 s
    (once each: gthread 2 × 2: 13.0/s, p95 5.2 s; sync 4: 25.5/s, p95 2.7 s)

On this load the submit is CPU-bound (its database and Redis waits are short on loopback), so
threads neither help nor hurt much: the same p95 (gthread steadier, sync ~15 % more throughput).
What decides is the traffic the bench does not have: with BankID every signing applicant's page
polls `collect` every 2 s and each poll waits on BankID over the network (0.1-0.3 s); a sync
worker is held idle for each of those waits, so 50 applicants signing at once would keep two
sync workers waiting on BankID alone, while 2 × 4 threads wait for them without blocking the
submits. Each thread keeps its own database connection (CONN_MAX_AGE): the database sees
WEB_WORKERS × WEB_THREADS connections per web host. WEB_WORKER_CLASS=sync switches back.
"""

import os

worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
backlog = 2048
