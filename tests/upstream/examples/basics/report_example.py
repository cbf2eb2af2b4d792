# Ported from the Flyte 2 SDK repository (flyteorg/flyte-sdk examples/basics/report_example.py,
# commit 7e2d4231b559); changed:
#   `import flyte` -> `import flyte_nb as flyte`
#   `import flyte.report` -> `import flyte_nb as flyte, flyte_nb.report`
#   `flyte.init_from_config()` -> `flyte.init()` (the SDK's local run needed it too)
import flyte_nb as flyte
import flyte_nb as flyte, flyte_nb.report

env = flyte.TaskEnvironment("reports")


@env.task(report=True)
async def task1():
    # Creating new tabs
    tab = flyte.report.get_tab("Task 1")
    tab.log("<p>Task 1 HTML log</p>")
    await flyte.report.flush.aio()


@env.task(report=True)
async def task2():
    await flyte.report.replace.aio("<href='https://www.union.ai/docs/flyte/user-guide/'>Flyte docs!</a>")
    await flyte.report.flush.aio()


@env.task
async def main():
    await task1()
    await task2()


if __name__ == "__main__":
    flyte.init()
    run = flyte.run(main)
    print(run.url)
