package io.tessera.spark;

import java.util.List;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** Java lists to and from the Scala collections Catalyst's API takes. */
final class Scala {
  private Scala() {}

  static <T> Seq<T> seq(List<T> list) {
    return CollectionConverters.asScala(list).toSeq();
  }

  static <T> List<T> list(scala.collection.Seq<T> seq) {
    return CollectionConverters.asJava(seq);
  }

  /** A Scala sequence of a supertype: Scala's immutable sequences are covariant, Java's generics are not. */
  @SuppressWarnings("unchecked")
  static <S, T extends S> Seq<S> widen(Seq<T> seq) {
    return (Seq<S>) (Seq<?>) seq;
  }
}
