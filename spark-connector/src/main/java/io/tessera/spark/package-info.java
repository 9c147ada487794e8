/**
 * The Spark 4.1 extension: {@code spark.sql.extensions=io.tessera.spark.TesseraExtensions}, the
 * {@code tessera_apply} SQL function and the per-partition physical operator.
 */
package io.tessera.spark;
