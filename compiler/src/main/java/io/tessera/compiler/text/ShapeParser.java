package io.tessera.compiler.text;

import io.tessera.compiler.hlo.ElementType;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads shapes as XLA prints them: {@code f32[]}, {@code s32[2,3]{1,0}}, tuples
 * {@code (f32[], (pred[4]{0}, token[]))} and dynamic dimensions {@code f32[?,8]}.
 *
 * <p>Layout extras that only matter to XLA's backends ({@code {1,0:T(8,128)}}, memory spaces
 * {@code {0:S(1)}}) are accepted and dropped. A bounded dynamic dimension {@code <=8} is read as
 * the static size 8: Tessera has no bounded-dynamic shapes, and the bound is the buffer size XLA
 * allocates for it.
 */
final class ShapeParser {
  private ShapeParser() {}

  /** Tuples nest at most this deep; deeper text is rejected rather than overflowing the stack. */
  static final int MAX_TUPLE_DEPTH = 256;

  static Shape parse(TextCursor c) {
    return parse(c, 0);
  }

  private static Shape parse(TextCursor c, int depth) {
    if (c.peek() == '(') {
      if (depth == MAX_TUPLE_DEPTH) {
        throw c.errorAt(c.position(), "tuple shapes nested deeper than " + MAX_TUPLE_DEPTH);
      }
      c.advance();
      List<Shape> elements = new ArrayList<>();
      if (!c.tryConsume(')')) {
        do {
          elements.add(parse(c, depth + 1));
        } while (c.tryConsume(','));
        c.expect(')');
      }
      return Shape.tuple(elements);
    }
    c.skipTrivia();
    int start = c.position();
    if (!TextCursor.isNameStart(c.peekRaw())) {
      throw c.expected("a shape");
    }
    String mnemonic = c.readWord("an element type");
    ElementType type = ElementType.fromMnemonic(mnemonic);
    if (type == null) {
      throw c.errorAt(start, "unknown element type '" + mnemonic + "'");
    }
    c.expect('[');
    List<Integer> dims = new ArrayList<>();
    if (!c.tryConsume(']')) {
      do {
        dims.add(dimension(c));
      } while (c.tryConsume(','));
      c.expect(']');
    }
    int[] dimensions = dims.stream().mapToInt(Integer::intValue).toArray();
    int[] layout = null;
    int layoutStart = c.position();
    // The layout follows the ']' directly; after whitespace a '{' is something else (a literal).
    if (c.peekRaw() == '{') {
      layout = layout(c);
    }
    try {
      return Shape.array(type, dimensions, layout);
    } catch (IllegalArgumentException e) {
      throw c.errorAt(layout != null ? layoutStart : start, e.getMessage());
    }
  }

  private static int dimension(TextCursor c) {
    if (c.tryConsume('?')) {
      return Shape.DYNAMIC;
    }
    c.tryConsume("<="); // bounded dynamic: read as its bound (see the class comment)
    return c.readNonNegativeInt("a dimension size");
  }

  private static int[] layout(TextCursor c) {
    c.expect('{');
    List<Integer> minorToMajor = new ArrayList<>();
    if (c.peek() != '}' && c.peek() != ':') {
      do {
        minorToMajor.add(c.readNonNegativeInt("a layout dimension"));
      } while (c.tryConsume(','));
    }
    if (c.tryConsume(':')) {
      skipLayoutExtras(c);
    }
    c.expect('}');
    return minorToMajor.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Skips tiling, element size and memory space ({@code T(8,128)(2,1)E(32)S(1)}) up to the '}'. */
  private static void skipLayoutExtras(TextCursor c) {
    int depth = 0;
    while (true) {
      char ch = c.peekRaw();
      if (ch == 0) {
        throw c.expected("'}' closing the layout");
      }
      if (ch == '}' && depth == 0) {
        return;
      }
      if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        if (depth == 0) {
          throw c.expected("'}' closing the layout");
        }
        depth--;
      } else if (ch == '{' || ch == '\n') {
        throw c.expected("'}' closing the layout");
      }
      c.advance();
    }
  }
}
