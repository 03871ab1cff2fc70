import time

from django.core.management.base import BaseCommand, CommandError

from onboarding.seed_load import DOMAIN, SEED_PASSWORD, load_instance_seed


class Command(BaseCommand):
    help = (
        "Seed a large, realistic instance for benchmarks (default: 5,000 hires in 20 cohorts, "
        "200 mentors, a 25-item program half way through). All or nothing; refuses a database "
        "that already has one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--hires", type=int, default=5000)
        parser.add_argument("--cohorts", type=int, default=20)
        parser.add_argument("--mentors", type=int, default=200)
        parser.add_argument("--items", type=int, default=25)
        parser.add_argument("--seed", type=int, default=2026, help="the random generator's seed")

    def handle(self, *args, **options) -> None:
        began = time.perf_counter()

        def step_done(name: str, seconds: float) -> None:
            self.stdout.write(f"  {name:<30} {seconds:6.1f} s")

        try:
            report = load_instance_seed(
                hires=options["hires"],
                cohorts=options["cohorts"],
                mentors=options["mentors"],
                items=options["items"],
                seed=options["seed"],
                progress=step_done,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Seeded in {time.perf_counter() - began:.1f} s:")
        for table, rows in sorted(report.counts.items()):
            self.stdout.write(f"  {table:<30} {rows:>8,}")
        self.stdout.write(f"Everyone's password: {SEED_PASSWORD} (emails end in @{DOMAIN}).")
