package io.tessera.spark;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.SparkSessionExtensionsProvider;
import scala.runtime.BoxedUnit;

/**
 * Installs Tessera in a Spark session: {@code spark.sql.extensions=io.tessera.spark.TesseraExtensions}.
 * It adds the {@code tessera_apply} SQL function and the rules that run its calls in batches on
 * compiled kernels ({@link TesseraColumnarRule}). Executors need nothing else: the
 * module travels inside the plan and each executor compiles it once.
 */
public final class TesseraExtensions implements SparkSessionExtensionsProvider {

  /** The SQL function: {@code tessera_apply(module, col1, col2, ...)}. */
  public static final String FUNCTION_NAME = "tessera_apply";

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectFunction(TesseraFunctions.tesseraApply());
    extensions.injectQueryPostPlannerStrategyRule(session -> TesseraColumnarRule.insertEval());
    extensions.injectColumnar(session -> new TesseraColumnarRule());
    return BoxedUnit.UNIT;
  }
}
