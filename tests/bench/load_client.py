"""The load generator behind bench_load: locust (FastHttpUser), one page at a time.

Run by tests/bench/bench_load.py, which hands it a plan as JSON on stdin and reads JSON
results on stdout. Kept apart because importing locust patches the standard library for
gevent, which the Django half of the benchmark must not see.

Each scenario is a list of prepared requests (path, session cookie, form data). Virtual users
take them in turn from one shared iterator, so a page is asked for as many different people
(and objects) as the plan holds. A response with another status than the plan expects counts
as a failure. After `warmup` seconds the statistics are reset, then `seconds` are measured.
"""

import itertools
import json
import sys

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment


def scenario_run(plan: dict, scenario: dict) -> dict:
    requests = scenario["requests"]
    # Writes that may happen once per object (a reflection is submitted once) do not repeat.
    source = iter(requests) if scenario.get("once") else itertools.cycle(requests)
    expect = scenario["expect"]

    class Visitor(FastHttpUser):
        host = plan["host"]
        wait_time = constant(0)  # closed loop: each user sends its next request at once
        insecure = True

        @staticmethod
        def _next() -> dict | None:
            return next(source, None)

        @task
        def visit(self) -> None:
            request = self._next()
            if request is None:
                gevent.sleep(0.05)  # the plan ran out of one-time writes
                return
            headers = {**plan["headers"], "Cookie": request["cookie"], **request.get("headers", {})}
            with self.client.request(
                scenario["method"],
                request["path"],
                name=scenario["name"],
                data=request.get("data"),
                headers=headers,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != expect:
                    response.failure(f"{response.status_code} for {request['path']}")
                else:
                    response.success()

    environment = Environment(user_classes=[Visitor])
    runner = environment.create_local_runner()
    runner.start(plan["users"], spawn_rate=plan["users"])
    gevent.sleep(plan["warmup"])
    environment.stats.reset_all()
    gevent.sleep(plan["seconds"])
    stats = environment.stats.get(scenario["name"], scenario["method"])
    result = {
        "name": scenario["name"],
        "requests": stats.num_requests,
        "failures": stats.num_failures,
        "rps": stats.total_rps,
        "p50": stats.get_response_time_percentile(0.50),
        "p95": stats.get_response_time_percentile(0.95),
        "p99": stats.get_response_time_percentile(0.99),
        "errors": [str(error.error) for error in list(environment.stats.errors.values())[:3]],
    }
    runner.quit()
    return result


def main() -> int:
    plan = json.load(sys.stdin)
    results = []
    for scenario in plan["scenarios"]:
        results.append(scenario_run(plan, scenario))
        print(f"  measured {scenario['name']}", file=sys.stderr, flush=True)
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
