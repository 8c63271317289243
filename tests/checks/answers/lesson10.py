"""Lesson 10, Big data: realistic answers and how each is judged.

The lesson streams a large year to Parquet files; here a smaller year is streamed to a
temporary folder (the lesson's own cells would write a million residents), and ``data`` is
that folder, as the checks read it.
"""

RUN_LESSON = False

SETUP = """
import tempfile
from pathlib import Path

import duckdb

import mhtrain
from mhtrain.checks import lesson10 as ex
from mhtrain.synth.stream import stream_to_dir

folder = Path(tempfile.mkdtemp(prefix="lesson10-answers-")) / ex.FOLDER
# big enough that chance keeps the Black/White ratio inside the 1.5-5 option of q1b
# (at 200,000 residents seed 11 gave 5.6)
stream_to_dir(folder, population=600_000, seed=11, formats=("parquet",))
data = ex.big_data(folder)
con = duckdb.connect()
con.register("ethnic_groups", mhtrain.codes("ethnic_category")[["code", "broad"]])
con.sql(f'''
    CREATE OR REPLACE VIEW detentions_by_group AS
    SELECT g.broad AS broad_group, COUNT(*) AS detentions
    FROM '{folder}/mha_detentions.parquet' AS d
    JOIN '{folder}/people.parquet' AS p ON p.person_id = d.person_id
    JOIN ethnic_groups AS g ON g.code = p.ethnic_category
    GROUP BY g.broad
''')
con.sql(f'''
    CREATE OR REPLACE VIEW residents_by_group AS
    SELECT g.broad AS broad_group, SUM(pop.residents) AS residents
    FROM '{folder}/population.parquet' AS pop
    JOIN ethnic_groups AS g ON g.code = pop.ethnic_category
    GROUP BY g.broad
''')
con.sql(f'''
    CREATE OR REPLACE VIEW people_by_group AS
    SELECT g.broad AS broad_group, COUNT(DISTINCT d.person_id) AS people
    FROM '{folder}/mha_detentions.parquet' AS d
    JOIN '{folder}/people.parquet' AS p ON p.person_id = d.person_id
    JOIN ethnic_groups AS g ON g.code = p.ethnic_category
    GROUP BY g.broad
''')
JOINED = "FROM detentions_by_group JOIN residents_by_group USING (broad_group)"
rates_10 = con.sql(
    "SELECT broad_group, detentions, residents, detentions / residents * 100000 AS per_100k "
    + JOINED + " ORDER BY per_100k DESC"
).df()
"""

ANSWERS = {
    "q1": {
        "right": [
            "rates_10",
            'con.sql("SELECT broad_group, detentions / residents * 100000 AS per_100k " + JOINED).df()',
            'con.sql("SELECT broad_group, ROUND(detentions / residents * 100000, 1) AS per_100k " '
            "+ JOINED).df()",
            'con.sql("SELECT broad_group, ROUND(detentions * 100000.0 / residents) AS per_100k " '
            "+ JOINED).df()",
            'rates_10.set_index("broad_group")["per_100k"]',
            'rates_10.set_index("broad_group")["per_100k"].round(2).to_dict()',
            'rates_10.sort_values("broad_group")',
        ],
        "wrong": [
            (
                'con.sql("SELECT broad_group, people / residents * 100000 AS per_100k '
                'FROM people_by_group JOIN residents_by_group USING (broad_group)").df()',
                "people-not-detentions",
            ),
            (
                'con.sql("SELECT broad_group, detentions / residents AS per_100k " + JOINED).df()',
                "too-small-x100000",
            ),
            (
                'con.sql("SELECT broad_group, detentions AS per_100k " + JOINED).df()',
                "rows-differ",
            ),
            (
                'con.sql("SELECT broad_group, residents / detentions * 100000 AS per_100k " '
                "+ JOINED).df()",
                "upside-down",
            ),
            (
                'con.sql("SELECT broad_group, ROUND(detentions / residents * 100000, -1) AS per_100k " '
                "+ JOINED).df()",
                "rounded-too-far",
            ),
            ('rates_10[rates_10["broad_group"] != "White"]', "wrong-rows"),
        ],
    },
    "q1b": {
        "right": ['"b"', '"B"', '"Between 1.5 and 5 times."', '"(b)"', '"option b"'],
        "wrong": [
            ('"a"', "another-option"),
            ('"c"', "another-option"),
            ("3", "not-an-option"),
            ('"3 times"', "not-an-option"),
            ("None", "value-from-print"),
        ],
    },
    "q2": {
        "right": ['"b"', '"B"', '"(b)"', "ex.q2.options['b']", '"b."'],
        "wrong": [
            ('"a"', "smaller-files"),
            ('"c"', "sql-limit"),
            ('"privacy"', "not-an-option"),
            ('"d"', "not-an-option"),
            ("2", "not-an-option"),
        ],
    },
}
