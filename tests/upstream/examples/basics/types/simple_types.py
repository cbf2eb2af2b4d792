# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/types/simple_types.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
from datetime import datetime, timedelta

import flyte_nb as flyte

env = flyte.TaskEnvironment(name="inputs_simple_types")


@env.task
def main(str: str, int: int, float: float, bool: bool, start_time: datetime, duration: timedelta) -> str:
    """Process simple types"""
    result = f"Hello, simple types: str={str}, int={int}, float={float}, bool={bool}"
    result += f"\nTime: {start_time}, Duration: {duration}"
    return result


if __name__ == "__main__":
    flyte.init()

    r = flyte.run(
        main, str="World", int=42, float=3.14, bool=True, start_time=datetime.now(), duration=timedelta(hours=1)
    )
    print(r.name)
    print(r.url)
    r.wait()
