package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where every value of a module's entry computation lives, as XLA's {@code BufferAssignment}: the
 * caller's argument and result buffers, the module's constants, or one arena of temporaries in
 * which values whose live ranges do not overlap share a slot. A backend allocates the arena
 * ({@link #temporaryBytes(long)}) and places each temporary at its slot's offset; it allocates
 * nothing else.
 *
 * <p>The schedule is the entry's definition order. A value lives from the instruction that
 * defines it to its last use (the result lives to the end). Values share storage when:
 *
 * <ul>
 *   <li>one names another: {@code tuple} and {@code get-tuple-element} (no storage of their
 *       own), {@code bitcast} and {@code reshape} (a row-major array keeps its bytes);
 *   <li>an instruction updates its operand in place: an elementwise instruction, or a
 *       {@code kLoop} fusion that reads that operand only at the index it writes, of the same
 *       size, when that operand's value dies there; a {@code dynamic-update-slice} into its
 *       operand under the same condition. Never into a parameter or a constant.
 * </ul>
 *
 * <p>Fused computations are part of their fusion instruction: their values are never stored.
 * Computations called by loops, conditionals and calls are not assigned here. Sizes of a batched
 * module are per row ({@link BufferSize}); slot offsets then depend on the row count
 * ({@link #slotOffsets(long)}). Slots start at multiples of {@link #ALIGNMENT} bytes.
 */
public final class BufferAssignment {
  /** Every slot of the arena starts at a multiple of this many bytes (a cache line, an AVX-512 vector). */
  public static final int ALIGNMENT = 64;

  /** Whose memory a buffer is. */
  public enum Kind { PARAMETER, CONSTANT, OUTPUT, TEMPORARY }

  /** How a value came to live in its buffer. */
  public enum Sharing { DEFINES, ALIASES, IN_PLACE }

  /** One array value: leaf {@code leaf} (in flattened tuple order; 0 for arrays) of an instruction. */
  public record Value(Instruction instruction, int leaf, Shape shape) {
    @Override
    public String toString() {
      return "%" + instruction.name() + (instruction.shape().isTuple() ? "{" + leaf + "}" : "");
    }
  }

  /** A value in a buffer, and how it got there. */
  public record Member(Value value, Sharing sharing) {}

  /**
   * One storage area and the values that live in it, the first one defining it. {@code start} and
   * {@code end} are positions in the schedule ({@code -1} for a parameter, the instruction count
   * for a value that is returned).
   */
  public static final class Buffer {
    private final int id;
    private final List<Member> members = new ArrayList<>();
    private final BufferSize size;
    private final int start;
    Kind kind;
    int end;
    int number = -1; // parameter number, output index, or slot

    Buffer(int id, Value defining, BufferSize size, Kind kind, int start, int end) {
      this.id = id;
      this.size = size;
      this.kind = kind;
      this.start = start;
      this.end = end;
      members.add(new Member(defining, Sharing.DEFINES));
    }

    public int id() {
      return id;
    }

    public Kind kind() {
      return kind;
    }

    public BufferSize size() {
      return size;
    }

    public int start() {
      return start;
    }

    public int end() {
      return end;
    }

    /** The value that defines the buffer. */
    public Value definingValue() {
      return members.get(0).value();
    }

    public List<Member> members() {
      return Collections.unmodifiableList(members);
    }

    /** The parameter number (PARAMETER), output index (OUTPUT) or arena slot (TEMPORARY); -1 for constants. */
    public int number() {
      return number;
    }

    void add(Value value, Sharing sharing) {
      members.add(new Member(value, sharing));
    }

    @Override
    public String toString() {
      return "buffer " + id + " (" + kind + ", " + size + ", " + definingValue() + ")";
    }
  }

  /** A slot of the arena and the temporaries that take turns in it. */
  public record Slot(int index, BufferSize size, List<Buffer> buffers) {}

  /**
   * Result {@code index} (a leaf of the root, flattened): its value, the buffer holding it, and
   * whether the backend must copy it into the result buffer (the value is a parameter or a
   * constant, or is returned twice) rather than compute it there.
   */
  public record Output(int index, Value value, Buffer buffer, boolean copy) {}

  private final Module module;
  private final List<Instruction> schedule;
  private final List<Buffer> buffers;
  private final Map<Value, Buffer> bufferOfValue;
  private final Map<Instruction, List<Value>> valuesOf;
  private final List<Slot> slots;
  private final List<Output> outputs;

  BufferAssignment(Module module, List<Instruction> schedule, List<Buffer> buffers, Map<Value, Buffer> bufferOfValue,
                   Map<Instruction, List<Value>> valuesOf, List<Slot> slots, List<Output> outputs) {
    this.module = module;
    this.schedule = List.copyOf(schedule);
    this.buffers = List.copyOf(buffers);
    this.bufferOfValue = bufferOfValue;
    this.valuesOf = valuesOf;
    this.slots = List.copyOf(slots);
    this.outputs = List.copyOf(outputs);
  }

  /** Assigns the buffers of {@code module}'s entry computation. */
  public static BufferAssignment assign(Module module) {
    return new BufferAssigner(module).assign();
  }

  public Module module() {
    return module;
  }

  /** The entry's instructions in the order they run. */
  public List<Instruction> schedule() {
    return schedule;
  }

  public List<Buffer> buffers() {
    return buffers;
  }

  public List<Slot> slots() {
    return slots;
  }

  public List<Output> outputs() {
    return outputs;
  }

  /** The array values of {@code instruction} (its tuple leaves, flattened), shared or not. */
  public List<Value> valuesOf(Instruction instruction) {
    List<Value> values = valuesOf.get(instruction);
    if (values == null) {
      throw new IllegalArgumentException("%" + instruction.name() + " is not in the entry computation");
    }
    return values;
  }

  /** The buffer holding array-shaped {@code instruction}'s value. */
  public Buffer bufferOf(Instruction instruction) {
    return bufferOf(instruction, 0);
  }

  /** The buffer holding leaf {@code leaf} of {@code instruction}. */
  public Buffer bufferOf(Instruction instruction, int leaf) {
    return bufferOfValue.get(valuesOf(instruction).get(leaf));
  }

  /** Whether any size depends on the row count. */
  public boolean isDynamic() {
    return slots.stream().anyMatch(s -> s.size().isDynamic());
  }

  /** The offset of every slot in the arena for {@code rows} rows (ignored by a module without dynamic shapes). */
  public long[] slotOffsets(long rows) {
    long[] offsets = new long[slots.size()];
    long next = 0;
    for (int s = 0; s < slots.size(); s++) {
      offsets[s] = next;
      next = align(next + slots.get(s).size().at(rows));
    }
    return offsets;
  }

  /** The bytes of the arena of temporaries for {@code rows} rows. */
  public long temporaryBytes(long rows) {
    long total = 0;
    for (Slot s : slots) {
      total = align(total + s.size().at(rows));
    }
    return total;
  }

  /** The bytes of the arena of temporaries of a module without dynamic shapes. */
  public long temporaryBytes() {
    if (isDynamic()) {
      throw new IllegalStateException("module " + module.name() + " has dynamic shapes: give the row count");
    }
    return temporaryBytes(0);
  }

  /**
   * The bytes temporaries would take for {@code rows} rows if every value had its own aligned
   * buffer (outputs aside): what sharing and in-place updates save is the difference.
   */
  public long unsharedTemporaryBytes(long rows) {
    long total = 0;
    for (Buffer b : buffers) {
      for (Member m : b.members()) {
        boolean computed = b.kind() == Kind.TEMPORARY || b.kind() == Kind.OUTPUT;
        if (computed && m.sharing() != Sharing.ALIASES && !isReturned(m.value())) {
          total += align(BufferSize.of(m.value().shape()).at(rows));
        }
      }
    }
    return total;
  }

  private boolean isReturned(Value v) {
    return outputs.stream().anyMatch(o -> o.value().equals(v));
  }

  static long align(long bytes) {
    return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }

  /** A readable account: the arena and its slots, then parameters, constants, outputs and sharing. */
  public String report() {
    return BufferReport.of(this);
  }
}
