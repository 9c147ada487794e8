package io.tessera.compiler.llvm;

import io.tessera.compiler.hlo.Shape;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Writes the body of one LLVM IR function as text: fresh SSA names, basic blocks and typed
 * instructions. Allocas go to the entry block so that {@code mem2reg} turns them into registers.
 *
 * <p>Scopes: emitters cache values they computed (an HLO instruction at an index) and may reuse
 * one only where its definition dominates the use. Code inside a loop body or a branch arm does
 * not dominate the code after it, so {@link LoopEmitter} and branching emitters bracket such
 * regions with {@link #enterScope()} / {@link #exitScope()}, and caches check {@link #isActive}.
 *
 * <p>Floating-point flags ({@link #setFpFlags}) are written on every float arithmetic instruction
 * and math call: empty by default (strict IEEE), {@code reassoc ...} under fast math.
 */
public final class IrBuilder {
  private final IrModule module;
  private final StringBuilder allocas = new StringBuilder();
  private final StringBuilder body = new StringBuilder();
  private final Deque<Integer> scopes = new ArrayDeque<>();
  private int counter;
  private int nextScope = 1;
  private String currentBlock = "entry";
  private String fpFlags = "";
  private IrValue rowCount; // null when the function has no dynamic dimension

  public IrBuilder(IrModule module) {
    this.module = module;
    scopes.push(0);
  }

  public IrModule module() {
    return module;
  }

  /** Keeps letters, digits, '_' and '.', so that any hint makes a valid LLVM name. */
  public static String sanitize(String hint) {
    StringBuilder sb = new StringBuilder(hint.length());
    for (int i = 0; i < hint.length(); i++) {
      char c = hint.charAt(i);
      sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
    }
    return sb.length() == 0 ? "v" : sb.toString();
  }

  /** A new SSA name {@code %hint.N}. */
  public String fresh(String hint) {
    return "%" + sanitize(hint) + "." + (counter++);
  }

  /** A new block label (without {@code %}); the block starts at {@link #startBlock}. */
  public String newLabel(String hint) {
    return sanitize(hint) + "." + (counter++);
  }

  /** Starts block {@code label}; the previous block must have ended with a terminator. */
  public void startBlock(String label) {
    body.append(label).append(":\n");
    currentBlock = label;
  }

  /** The label of the block instructions are currently appended to. */
  public String currentBlock() {
    return currentBlock;
  }

  // ---- scopes -------------------------------------------------------------------------------

  /** Opens a region whose values do not dominate the code after it; returns its id. */
  public int enterScope() {
    int id = nextScope++;
    scopes.push(id);
    return id;
  }

  public void exitScope() {
    if (scopes.size() == 1) {
      throw new IllegalStateException("no scope to exit");
    }
    scopes.pop();
  }

  /** The innermost open scope. */
  public int currentScope() {
    return scopes.peek();
  }

  /** True while scope {@code id} is open, i.e. values defined in it dominate the current point. */
  public boolean isActive(int id) {
    return scopes.contains(id);
  }

  // ---- dimension sizes ----------------------------------------------------------------------

  /**
   * Sets the {@code i64} value holding the runtime row count: the size of every dimension of
   * size {@link Shape#DYNAMIC} in the function being written.
   */
  public void setRowCount(IrValue rows) {
    this.rowCount = rows;
  }

  /**
   * The size of a dimension as an {@code i64} value: the constant {@code size}, or the runtime row
   * count for {@link Shape#DYNAMIC}.
   *
   * @throws IllegalStateException for a dynamic size in a function without a row count
   */
  public IrValue dimensionSize(int size) {
    if (size != Shape.DYNAMIC) {
      return IrValue.i64(size);
    }
    if (rowCount == null) {
      throw new IllegalStateException("a dynamic dimension (?) in a function that has no row count");
    }
    return rowCount;
  }

  // ---- floating-point flags -----------------------------------------------------------------

  public String fpFlags() {
    return fpFlags;
  }

  /** Sets the fast-math flags written on float operations ({@code ""} for none); returns the old ones. */
  public String setFpFlags(String flags) {
    String old = fpFlags;
    fpFlags = flags == null ? "" : flags.trim();
    return old;
  }

  private String flags() {
    return fpFlags.isEmpty() ? "" : fpFlags + " ";
  }

  // ---- the body as text ----------------------------------------------------------------------

  /** How many characters of body text have been emitted: a position later code can be located by. */
  public int position() {
    return body.length();
  }

  /** The body emitted so far (everything after the entry block's allocas). */
  public String bodyText() {
    return body.toString();
  }

  /** Replaces the body with {@code rewrite} of it, e.g. to rename values once they are known. */
  public void rewriteBody(UnaryOperator<String> rewrite) {
    String rewritten = rewrite.apply(body.toString());
    body.setLength(0);
    body.append(rewritten);
  }

  // ---- raw text ------------------------------------------------------------------------------

  /** Appends one instruction line verbatim. */
  public void raw(String line) {
    body.append("  ").append(line).append('\n');
  }

  /** Emits {@code %new = rhs} and returns the new value of {@code type}. */
  public IrValue assign(String type, String rhs) {
    String name = fresh("v");
    body.append("  ").append(name).append(" = ").append(rhs).append('\n');
    return new IrValue(type, name);
  }

  // ---- terminators ---------------------------------------------------------------------------

  public void br(String label) {
    raw("br label %" + label);
  }

  public void condBr(IrValue cond, String ifTrue, String ifFalse) {
    raw("br " + cond.typed() + ", label %" + ifTrue + ", label %" + ifFalse);
  }

  public void retVoid() {
    raw("ret void");
  }

  public void ret(IrValue v) {
    raw("ret " + v.typed());
  }

  // ---- integer arithmetic -------------------------------------------------------------------

  /** {@code op a, b} for a binary instruction whose result has the operands' type. */
  public IrValue binop(String op, IrValue a, IrValue b) {
    requireSameType(a, b, op);
    return assign(a.type(), op + " " + a.typed() + ", " + b.ref());
  }

  public IrValue add(IrValue a, IrValue b) {
    return binop("add", a, b);
  }

  public IrValue sub(IrValue a, IrValue b) {
    return binop("sub", a, b);
  }

  public IrValue mul(IrValue a, IrValue b) {
    return binop("mul", a, b);
  }

  public IrValue and(IrValue a, IrValue b) {
    return binop("and", a, b);
  }

  public IrValue or(IrValue a, IrValue b) {
    return binop("or", a, b);
  }

  public IrValue xor(IrValue a, IrValue b) {
    return binop("xor", a, b);
  }

  public IrValue icmp(String predicate, IrValue a, IrValue b) {
    requireSameType(a, b, "icmp");
    return assign("i1", "icmp " + predicate + " " + a.typed() + ", " + b.ref());
  }

  // ---- float arithmetic ---------------------------------------------------------------------

  /** A float binary instruction ({@code fadd}, {@code fmul}, ...) with the current flags. */
  public IrValue fbinop(String op, IrValue a, IrValue b) {
    requireSameType(a, b, op);
    return assign(a.type(), op + " " + flags() + a.typed() + ", " + b.ref());
  }

  public IrValue fneg(IrValue a) {
    return assign(a.type(), "fneg " + flags() + a.typed());
  }

  public IrValue fcmp(String predicate, IrValue a, IrValue b) {
    requireSameType(a, b, "fcmp");
    return assign("i1", "fcmp " + predicate + " " + a.typed() + ", " + b.ref());
  }

  // ---- other instructions -------------------------------------------------------------------

  public IrValue select(IrValue cond, IrValue ifTrue, IrValue ifFalse) {
    requireSameType(ifTrue, ifFalse, "select");
    return assign(ifTrue.type(), "select " + cond.typed() + ", " + ifTrue.typed() + ", " + ifFalse.typed());
  }

  /** A conversion ({@code zext}, {@code sitofp}, {@code bitcast}, ...); a no-op when types agree and op is a bitcast. */
  public IrValue cast(String op, IrValue v, String toType) {
    if (op.equals("bitcast") && v.type().equals(toType)) {
      return v;
    }
    return assign(toType, op + " " + v.typed() + " to " + toType);
  }

  /**
   * Calls {@code symbol} (declared by the caller or defined as a helper); float calls carry the
   * current flags. Returns {@code null} for a {@code void} call.
   */
  public IrValue call(String returnType, String symbol, IrValue... args) {
    StringBuilder sb = new StringBuilder("call ");
    if (returnType.equals("float") || returnType.equals("double")) {
      sb.append(flags());
    }
    sb.append(returnType).append(' ').append(symbol).append('(');
    for (int i = 0; i < args.length; i++) {
      sb.append(i > 0 ? ", " : "").append(args[i].typed());
    }
    sb.append(')');
    if (returnType.equals("void")) {
      raw(sb.toString());
      return null;
    }
    return assign(returnType, sb.toString());
  }

  /**
   * Calls LLVM intrinsic or C library function {@code name} ({@code llvm.exp.f32}, {@code expm1f}),
   * declaring it on first use; the parameter types are those of {@code args}.
   */
  public IrValue callExternal(String returnType, String name, IrValue... args) {
    StringBuilder decl = new StringBuilder("declare ").append(returnType).append(" @").append(name).append('(');
    for (int i = 0; i < args.length; i++) {
      decl.append(i > 0 ? ", " : "").append(args[i].type());
    }
    decl.append(')');
    if (!name.startsWith("llvm.")) {
      decl.append(" nounwind");
    }
    module.declare(name, decl.toString());
    return call(returnType, "@" + name, args);
  }

  public IrValue load(String type, IrValue pointer, int align) {
    return assign(type, "load " + type + ", ptr " + pointer.ref() + ", align " + align);
  }

  public void store(IrValue value, IrValue pointer, int align) {
    raw("store " + value.typed() + ", ptr " + pointer.ref() + ", align " + align);
  }

  /** {@code getelementptr inbounds elementType, ptr base, i64 index}. */
  public IrValue gep(String elementType, IrValue base, IrValue index) {
    return assign("ptr", "getelementptr inbounds " + elementType + ", ptr " + base.ref() + ", " + index.typed());
  }

  /** A stack slot of {@code type} in the entry block (promoted to a register by mem2reg). */
  public IrValue alloca(String type) {
    String name = fresh("slot");
    allocas.append("  ").append(name).append(" = alloca ").append(type).append('\n');
    return new IrValue("ptr", name);
  }

  /** A phi node; {@code incoming} holds pairs of value and predecessor block label. */
  public IrValue phi(String type, List<IrValue> values, List<String> blocks) {
    StringBuilder sb = new StringBuilder("phi ").append(type).append(' ');
    for (int i = 0; i < values.size(); i++) {
      sb.append(i > 0 ? ", " : "").append("[ ").append(values.get(i).ref()).append(", %").append(blocks.get(i)).append(" ]");
    }
    return assign(type, sb.toString());
  }

  /**
   * The complete function: {@code signature} (e.g. {@code define void @k(ptr %a) #0}), the entry
   * block's allocas, then the body. The body must end with a terminator.
   */
  public String functionText(String signature) {
    return signature + " {\nentry:\n" + allocas + body + "}\n";
  }

  private static void requireSameType(IrValue a, IrValue b, String op) {
    if (!a.type().equals(b.type())) {
      throw new IllegalArgumentException(op + " of different types: " + a.typed() + ", " + b.typed());
    }
  }
}
