"""The scheduler of periodic jobs: enqueues the tasks named in ``settings.PERIODIC_TASKS`` on
their schedule, once per slot however many scheduler processes run (the workers do the work)."""
