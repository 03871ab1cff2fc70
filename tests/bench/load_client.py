"""The load generator behind bench_load: locust (FastHttpUser), one page at a time.

Run by tests/bench/bench_load.py, which hands it a plan as JSON on stdin and reads JSON
results on stdout. Kept apart because importing locust patches the standard library for
gevent, which the Django half of the benchmark must not see.

Each scenario is a list of prepared requests (path, session cookie, form data). Virtual users
take them in turn from one shared iterator, so a page is asked for as many different people
(and objects) as the plan holds. A response with another status than the plan expects counts
as a failure. The pages are measured in ROUNDS: each round runs every page for seconds/rounds after a
warm-up (the plan's `warmup` the first time, a second after), and the figures add up.
"""

import itertools
import json
import os
import sys

import gevent
from locust import FastHttpUser, between, constant, task
from locust.env import Environment
from locust.stats import StatsEntry


def _process_cpu_seconds() -> dict[tuple[str, int], float]:
    """CPU seconds used so far by each web worker, PostgreSQL backend and this client.

    Read from /proc (Linux), so each page's figures can say where its machine time went: a
    page's share of the floor is set by its cost per request summed over the three.
    """
    tick = os.sysconf("SC_CLK_TCK")
    web_group = int(os.environ.get("BENCH_WEB_PGID", "0"))
    # PostgreSQL names each backend's database in its process title; others' work is not ours.
    database = os.environ.get("BENCH_DATABASE", "").encode()
    used: dict[tuple[str, int], float] = {}
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:  # the process ended while we looked
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(entry) == me:
            used["client", me] = seconds
        elif web_group and int(fields[2]) == web_group:
            used["web", int(entry)] = seconds
        elif name.startswith("postgres") and database and _backend_of(entry, database):
            used["database", int(entry)] = seconds
    return used


def _cpu_spent(before: dict, after: dict) -> dict[str, float]:
    """Per group, the CPU used between two readings. A process started in between counts from
    zero; one that ended in between (a backend whose connection closed) is lost, not negative."""
    spent = {"web": 0.0, "database": 0.0, "client": 0.0}
    for key, seconds in after.items():
        spent[key[0]] += seconds - before.get(key, 0.0)
    return spent


def _backend_of(pid: str, database: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return f" {database.decode()} ".encode() in cmdline.read()
    except OSError:
        return False


class Scenario:
    """One page: a fresh set of virtual users each round, its figures added up across rounds.

    Requests made while warming up are recorded under another name, so only the measured
    windows count; requests per second is what those windows saw, divided by their length.
    """

    def __init__(self, plan: dict, scenario: dict) -> None:
        self.plan = plan
        self.name, self.method = scenario["name"], scenario["method"]
        self.expect = scenario["expect"]
        self.measuring = False
        self.measured_seconds = 0.0
        requests = scenario["requests"]
        # Writes that may happen once per object (a reflection is submitted once) do not repeat.
        # A fifth of them is kept for the warm-ups, so warming up never eats what is measured.
        if scenario.get("once"):
            reserve = max(1, len(requests) // 5)
            self.warm_source = iter(requests[:reserve])
            self.source = iter(requests[reserve:])
        else:
            self.source = self.warm_source = itertools.cycle(requests)
        self.total: StatsEntry | None = None
        self.errors: list[str] = []
        self.cpu = {"web": 0.0, "database": 0.0, "client": 0.0}
        self.ran_out = False

    def _visitor(self) -> type[FastHttpUser]:
        plan, owner = self.plan, self

        class Visitor(FastHttpUser):
            host = plan["host"]
            # Closed loop: each user sends its next request at once (what measures capacity).
            # With think time, each waits about that long between requests, as a person
            # reading the page would (what measures latency at a given number of people).
            think = plan.get("think", 0)
            wait_time = between(think / 2, think * 3 / 2) if think else constant(0)
            insecure = True

            @task
            def visit(self) -> None:
                request = next(owner.source if owner.measuring else owner.warm_source, None)
                if request is None:  # the plan ran out of one-time writes: say so
                    if owner.measuring and not owner.ran_out:
                        owner.ran_out = True
                        owner.errors.append(
                            "ran out of one-time requests while measuring: the rate "
                            "understates this page (seed more hires, or fewer seconds)"
                        )
                    gevent.sleep(0.05)
                    return
                headers = {
                    **plan["headers"],
                    "Cookie": request["cookie"],
                    **request.get("headers", {}),
                }
                with self.client.request(
                    owner.method,
                    request["path"],
                    name=owner.name if owner.measuring else "warm-up",
                    data=request.get("data"),
                    headers=headers,
                    allow_redirects=False,
                    catch_response=True,
                ) as response:
                    if response.status_code != owner.expect:
                        response.failure(f"{response.status_code} for {request['path']}")
                    else:
                        response.success()

        return Visitor

    def run(self, *, users: int, warmup: float, seconds: float) -> None:
        environment = Environment(user_classes=[self._visitor()])
        runner = environment.create_local_runner()
        runner.start(users, spawn_rate=users)
        gevent.sleep(warmup)
        self.measuring = True
        before = _process_cpu_seconds()
        gevent.sleep(seconds)
        after = _process_cpu_seconds()
        self.measuring = False
        for part, spent in _cpu_spent(before, after).items():
            self.cpu[part] += spent
        self.measured_seconds += seconds
        runner.quit()
        entry = environment.stats.get(self.name, self.method)
        if self.total is None:
            self.total = entry
        else:
            self.total.extend(entry)
        self.errors += [
            str(error.error)
            for error in environment.stats.errors.values()
            if error.name == self.name
        ]

    def result(self) -> dict:
        stats = self.total
        assert stats is not None, "run() first"
        return {
            "name": self.name,
            "requests": stats.num_requests,
            "failures": stats.num_failures,
            "rps": stats.num_requests / self.measured_seconds if self.measured_seconds else 0,
            "p50": stats.get_response_time_percentile(0.50),
            "p95": stats.get_response_time_percentile(0.95),
            "p99": stats.get_response_time_percentile(0.99),
            "errors": self.errors[:3],
            "ran_out": self.ran_out,
            # CPU milliseconds per measured request, by process group
            "cpu_ms": {
                part: 1000 * seconds / stats.num_requests if stats.num_requests else 0
                for part, seconds in self.cpu.items()
            },
        }


def main() -> int:
    """Rounds of every page in turn (floor first each time), so a machine that speeds up or
    slows down during the run weighs on every page alike, and the ratios to the floor hold."""
    plan = json.load(sys.stdin)
    scenarios = [Scenario(plan, scenario) for scenario in plan["scenarios"]]
    rounds = max(1, plan.get("rounds", 1))
    for number in range(rounds):
        for scenario in scenarios:
            scenario.run(
                users=plan["users"],
                warmup=plan["warmup"] if number == 0 else min(1.0, plan["warmup"]),
                seconds=plan["seconds"] / rounds,
            )
        print(f"  round {number + 1} of {rounds} measured", file=sys.stderr, flush=True)
    json.dump([scenario.result() for scenario in scenarios], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
