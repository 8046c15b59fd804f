"""A stand-in for Hugging Face `evaluate`, for lm-eval task hooks run by streameval's hook worker.

Only `evaluate.load("code_eval")` is provided: lm-eval's humaneval and mbpp hooks (`utils.py`) call it
unchanged. `.compute(references, predictions, k)` returns what HF evaluate's code_eval returns —
`(pass_at_k, results)`: `{"pass@k": mean estimate}` for each k every problem has at least k candidates
for, and per problem the list of `(completion_id, {"task_id", "passed", "result", "completion_id"})`
— but each program runs in streameval's sandbox (src/python/sandbox/launch.py), the launcher the
TypeScript code_eval metric uses too.

As in HF, nothing runs unless HF_ALLOW_CODE_EVAL is "1": streameval sets it for the hook worker only
when `--allow-code-execution` is given, with the sandbox's limits in STREAMEVAL_SANDBOX_LIMITS (JSON).
"""

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed

__all__ = ["load", "CodeEval"]

LAUNCHER = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sandbox", "launch.py"))

_WARNING = """
################################################################################
                                  !!!WARNING!!!
################################################################################
The "code_eval" metric executes untrusted model-generated code in Python.
streameval runs it in a sandbox (a subprocess with namespaces and limits where
the OS allows them; not a container): see docs/code-execution.md.
Run with --allow-code-execution to allow it (this sets HF_ALLOW_CODE_EVAL="1"
for the hook worker, as HF evaluate requires).
################################################################################\
"""

# The launcher itself sees only what it needs to find the interpreter: no API keys.
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL")


def load(path, *args, **kwargs):
    name = str(path).rstrip("/").split("/")[-1]
    if name.endswith(".py"):
        name = name[:-3]
    if name != "code_eval":
        raise ValueError(f"streameval's stand-in for `evaluate` provides only load(\"code_eval\"), not load({path!r}); install Hugging Face `evaluate` for other metrics")
    return CodeEval()


class CodeEval:
    """HF evaluate's code_eval metric, executing through streameval's sandbox."""

    name = "code_eval"

    def compute(self, *, predictions=None, references=None, k=[1, 10, 100], num_workers=4, timeout=3.0):
        if os.getenv("HF_ALLOW_CODE_EVAL", 0) != "1":
            raise ValueError(_WARNING)
        if os.name == "nt":
            raise NotImplementedError("This metric is currently not supported on Windows.")
        limits = json.loads(os.environ.get("STREAMEVAL_SANDBOX_LIMITS") or "{}")
        limits.setdefault("timeout_s", timeout)
        workers = max(1, min(num_workers, int(limits.pop("concurrency", num_workers))))

        with ThreadPoolExecutor(max_workers=workers) as executor:
            futures = []
            completion_id = Counter()
            results = defaultdict(list)
            for task_id, (candidates, test_case) in enumerate(zip(predictions, references)):
                for candidate in candidates:
                    test_program = candidate + "\n" + test_case
                    futures.append(executor.submit(check_correctness, test_program, limits, task_id, completion_id[task_id]))
                    completion_id[task_id] += 1
            for future in as_completed(futures):
                result = future.result()
                results[result["task_id"]].append((result["completion_id"], result))

        total, correct = [], []
        for result in results.values():
            result.sort()
            passed = [r[1]["passed"] for r in result]
            total.append(len(passed))
            correct.append(sum(passed))
        ks = k
        pass_at_k = {f"pass@{k}": _mean(estimate_pass_at_k(total, correct, k)) for k in ks if all(t >= k for t in total)}
        return pass_at_k, results


def check_correctness(program, limits, task_id, completion_id):
    """HF's check_correctness, with the program run by the sandbox launcher instead of a forked interpreter."""
    env = {key: os.environ[key] for key in _PASSED_ENV if key in os.environ}
    done = subprocess.run([sys.executable, LAUNCHER], input=json.dumps({**limits, "program": program}), capture_output=True, text=True, env=env)
    try:
        verdict = json.loads(done.stdout)
    except ValueError:
        raise RuntimeError(f"the code execution launcher failed (exit code {done.returncode}): {done.stderr.strip()[-500:]}")
    return dict(task_id=task_id, passed=verdict["result"] == "passed", result=verdict["result"], completion_id=completion_id)


def estimate_pass_at_k(num_samples, num_correct, k):
    """HF's estimator: 1 - comb(n - c, k) / comb(n, k) per problem, as 1 - prod(1 - k / arange(n - c + 1, n + 1))."""
    try:
        import numpy as np
    except ImportError:
        np = None

    def estimator(n, c, k):
        if n - c < k:
            return 1.0
        if np is not None:
            return 1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1))
        prod = 1.0
        for i in range(n - c + 1, n + 1):
            prod *= 1.0 - k / i
        return 1.0 - prod

    return [estimator(int(n), int(c), k) for n, c in zip(num_samples, num_correct)]


def _mean(values):
    try:
        import numpy as np

        return np.array(values).mean()
    except ImportError:
        return sum(values) / len(values)
