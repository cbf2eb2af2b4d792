# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/union_type_simple.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
from typing import Union

import flyte_nb as flyte

env = flyte.TaskEnvironment(
    name="union_type_demo",
)


@env.task
def process_union_input(input_val: Union[str, None]) -> str:
    if input_val is None:
        return "Input was None!"
    return f"Input was a string: {input_val}"


@env.task
def union_type_simple_task(input_val: Union[str, None] = None) -> str:
    return process_union_input(input_val)


if __name__ == "__main__":
    flyte.init()
    run = flyte.run(union_type_simple_task, input_val="hello world")
    print(run.name)
    print(run.url)
    run.wait()
