# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/accelerators/amd.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import flyte_nb as flyte

acc_env = flyte.TaskEnvironment("amd", resources=flyte.Resources(gpu="MI350X:1"))


@acc_env.task
async def main() -> str:
    return "Hello from trn"


if __name__ == "__main__":
    flyte.init()
    r = flyte.run(main)
    print(r.url)
