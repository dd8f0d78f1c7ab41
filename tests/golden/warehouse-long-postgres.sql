SELECT "week" AS "day", "channel" AS "k0", "metric" AS "k1", COUNT(*) AS "n", SUM("value") AS "s0", COUNT("value") AS "c0" FROM "ads"."weekly_metrics" WHERE NOT "week" IS NULL AND "week" >= %(keep_from)s AND "week" < %(keep_until)s AND NULLIF(TRIM(BOTH ' 	
  　' FROM CAST("metric" AS VARCHAR)), '') IN (%(m2)s, %(m3)s, %(m4)s, %(m5)s) GROUP BY "week", "channel", "metric" LIMIT 500001
