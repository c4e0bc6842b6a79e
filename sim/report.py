"""`python -m sim.report <multirun folder>`: gather a sweep's job folders into one table and its figures
(`sim.outputs.sweep`)."""

from pathlib import Path

from sim.cli.command import Parser, check_writable, command
from sim.outputs.sweep import draw, gather, write_tables


@command()
def main(argv=None):
    parser = Parser(prog="sim.report", description="Gather a sweep's job folders into one table and its figures.")
    parser.add_argument("folder", type=Path, help="the multirun folder (hydra.sweep.dir)")
    folder = parser.parse_args(argv).folder
    table, swept, left_out = gather(folder)
    check_writable(folder)
    write_tables(folder, table)
    draw(folder, table, swept)
    print(f"{folder}: {table['job'].nunique()} sweep points, {len(table)} rows; swept: {', '.join(swept) or 'none'}")
    if left_out:
        print(f"left out (incomplete, no manifest.json): {', '.join(left_out)}")


if __name__ == "__main__":
    main()
