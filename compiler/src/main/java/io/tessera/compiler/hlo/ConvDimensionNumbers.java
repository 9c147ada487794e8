package io.tessera.compiler.hlo;

import java.util.Arrays;

/**
 * Convolution dimension numbers, written by XLA as {@code dim_labels=b01f_01io->b01f}: for the
 * input (lhs), the kernel (rhs) and the output, which dimension is the batch ({@code b}), the
 * feature ({@code f}; kernel: input feature {@code i}, output feature {@code o}) and each spatial
 * dimension ({@code 0}, {@code 1}, ... in spatial order). Position in the label = dimension number.
 */
public final class ConvDimensionNumbers {
  private final int inputBatch;
  private final int inputFeature;
  private final int[] inputSpatial;
  private final int kernelInputFeature;
  private final int kernelOutputFeature;
  private final int[] kernelSpatial;
  private final int outputBatch;
  private final int outputFeature;
  private final int[] outputSpatial;

  public ConvDimensionNumbers(int inputBatch, int inputFeature, int[] inputSpatial,
                              int kernelInputFeature, int kernelOutputFeature, int[] kernelSpatial,
                              int outputBatch, int outputFeature, int[] outputSpatial) {
    if (inputSpatial.length != kernelSpatial.length || inputSpatial.length != outputSpatial.length) {
      throw new IllegalArgumentException("input, kernel and output differ in spatial rank");
    }
    this.inputBatch = inputBatch;
    this.inputFeature = inputFeature;
    this.inputSpatial = inputSpatial.clone();
    this.kernelInputFeature = kernelInputFeature;
    this.kernelOutputFeature = kernelOutputFeature;
    this.kernelSpatial = kernelSpatial.clone();
    this.outputBatch = outputBatch;
    this.outputFeature = outputFeature;
    this.outputSpatial = outputSpatial.clone();
  }

  /**
   * Reads XLA's label form, e.g. {@code b01f_01io->b01f}.
   *
   * @throws IllegalArgumentException naming what is wrong with the labels
   */
  public static ConvDimensionNumbers parse(String labels) {
    int arrow = labels.indexOf("->");
    int underscore = labels.indexOf('_');
    if (arrow < 0 || underscore < 0 || underscore > arrow) {
      throw new IllegalArgumentException("dim_labels must look like b01f_01io->b01f, got " + labels);
    }
    String lhs = labels.substring(0, underscore);
    String rhs = labels.substring(underscore + 1, arrow);
    String out = labels.substring(arrow + 2);
    int spatial = lhs.length() - 2;
    if (spatial < 0 || rhs.length() != spatial + 2 || out.length() != spatial + 2) {
      throw new IllegalArgumentException("dim_labels " + labels + ": input, kernel and output must have the same rank");
    }
    int[] inS = spatialDims(lhs, spatial, labels);
    int[] kS = spatialDims(rhs, spatial, labels);
    int[] outS = spatialDims(out, spatial, labels);
    return new ConvDimensionNumbers(
        find(lhs, 'b', labels), find(lhs, 'f', labels), inS,
        find(rhs, 'i', labels), find(rhs, 'o', labels), kS,
        find(out, 'b', labels), find(out, 'f', labels), outS);
  }

  private static int find(String part, char label, String all) {
    int first = part.indexOf(label);
    if (first < 0 || part.indexOf(label, first + 1) >= 0) {
      throw new IllegalArgumentException("dim_labels " + all + ": '" + part + "' must name '" + label + "' exactly once");
    }
    return first;
  }

  private static int[] spatialDims(String part, int spatial, String all) {
    int[] dims = new int[spatial];
    Arrays.fill(dims, -1);
    for (int pos = 0; pos < part.length(); pos++) {
      char c = part.charAt(pos);
      if (c >= '0' && c <= '9') {
        int s = c - '0';
        if (s >= spatial || dims[s] >= 0) {
          throw new IllegalArgumentException("dim_labels " + all + ": bad spatial label '" + c + "' in '" + part + "'");
        }
        dims[s] = pos;
      } else if ("bfio".indexOf(c) < 0) {
        throw new IllegalArgumentException("dim_labels " + all + ": unknown label '" + c + "'");
      }
    }
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("dim_labels " + all + ": '" + part + "' misses a spatial dimension");
      }
    }
    return dims;
  }

  public int spatialRank() {
    return inputSpatial.length;
  }

  public int inputBatch() {
    return inputBatch;
  }

  public int inputFeature() {
    return inputFeature;
  }

  public int inputSpatial(int i) {
    return inputSpatial[i];
  }

  public int kernelInputFeature() {
    return kernelInputFeature;
  }

  public int kernelOutputFeature() {
    return kernelOutputFeature;
  }

  public int kernelSpatial(int i) {
    return kernelSpatial[i];
  }

  public int outputBatch() {
    return outputBatch;
  }

  public int outputFeature() {
    return outputFeature;
  }

  public int outputSpatial(int i) {
    return outputSpatial[i];
  }

  private static String label(int rank, int a, char la, int b, char lb, int[] spatial) {
    char[] out = new char[rank];
    out[a] = la;
    out[b] = lb;
    for (int s = 0; s < spatial.length; s++) {
      out[spatial[s]] = (char) ('0' + s);
    }
    return new String(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvDimensionNumbers c && toString().equals(c.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  /** XLA's label form, e.g. {@code b01f_01io->b01f}. */
  @Override
  public String toString() {
    int rank = inputSpatial.length + 2;
    return label(rank, inputBatch, 'b', inputFeature, 'f', inputSpatial) + "_"
        + label(rank, kernelInputFeature, 'i', kernelOutputFeature, 'o', kernelSpatial) + "->"
        + label(rank, outputBatch, 'b', outputFeature, 'f', outputSpatial);
  }
}
