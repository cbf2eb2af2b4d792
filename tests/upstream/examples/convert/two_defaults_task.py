# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/convert/two_defaults_task.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
"""
Task with defaults: ``a=10``, ``b=0``.

Run:
  flyte run examples/convert/two_defaults_task.py repro --a=3 --b=1
  python examples/convert/two_defaults_task.py
"""

import flyte_nb as flyte

env = flyte.TaskEnvironment(name="carina")


@env.task
async def porch_zero_default_repro(a: int = 10, b: int = 0) -> str:
    return f"a={a}, b={b}"


if __name__ == "__main__":
    flyte.init()
    r = flyte.run(porch_zero_default_repro)
    print(r.name, r.url)
    r.wait()
