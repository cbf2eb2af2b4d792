# Seed 003 "Fanout": fanout.py, the basic example with its __main__ block.
# fanout.py
import asyncio
import flyte_nb as flyte
env = flyte.TaskEnvironment("large_fanout")
@env.task
async def my_task(x: int) -> int:
    return x
@env.task
async def main(r: int):
    results = []
    for i in range(r):
        results.append(my_task(x=i))
    result = await asyncio.gather(*results)
    return result
if __name__ == "__main__":
    flyte.init_from_config("config.yaml")
    run = flyte.run(main, r=50)
    print(run.url)
    run.wait(run)
