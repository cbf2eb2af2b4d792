# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/types/map_types.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import flyte_nb as flyte

env = flyte.TaskEnvironment(name="inputs_map_types")


@env.task
def main(data: dict[str, int]) -> str:
    """Process map/dictionary type input"""
    result = f"Received map with {len(data)} entries:\n"
    for key, value in data.items():
        result += f"  {key}: {value}\n"
    result += f"\nTotal sum: {sum(data.values())}"
    return result


if __name__ == "__main__":
    flyte.init()

    test_map = {"apple": 5, "banana": 3, "orange": 7, "grape": 2}
    r = flyte.run(main, data=test_map)
    print(r.name)
    print(r.url)
    r.wait()
