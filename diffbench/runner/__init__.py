"""The execution layer: plan jobs, schedule them on worker processes, journal, assemble records, run metadata."""
from diffbench.runner.config import RunConfig, plan
from diffbench.runner.join import assemble, is_failure
from diffbench.runner.run import execute_run

__all__ = ["RunConfig", "assemble", "execute_run", "is_failure", "plan"]
