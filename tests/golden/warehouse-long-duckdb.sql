SELECT "week" AS "day", "channel" AS "k0", "metric" AS "k1", COUNT(*) AS "n", SUM("value") AS "s0", COUNT("value") AS "c0" FROM "ads"."weekly_metrics" WHERE NOT "week" IS NULL AND "week" >= $keep_from AND "week" < $keep_until AND NULLIF(TRIM(CAST("metric" AS TEXT), ' 	
  　'), '') IN ($m2, $m3, $m4, $m5) GROUP BY "week", "channel", "metric" LIMIT 500001
