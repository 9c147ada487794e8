package io.tessera.compiler.pass;

import io.tessera.compiler.hlo.Attr;
import io.tessera.compiler.hlo.Computation;
import io.tessera.compiler.hlo.Instruction;
import io.tessera.compiler.hlo.Module;
import io.tessera.compiler.hlo.Opcode;
import io.tessera.compiler.hlo.Shape;
import io.tessera.compiler.pass.BufferAssignment.Buffer;
import io.tessera.compiler.pass.BufferAssignment.Kind;
import io.tessera.compiler.pass.BufferAssignment.Output;
import io.tessera.compiler.pass.BufferAssignment.Sharing;
import io.tessera.compiler.pass.BufferAssignment.Slot;
import io.tessera.compiler.pass.BufferAssignment.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Computes a {@link BufferAssignment}: values, aliases, live ranges, in-place updates, slots. */
final class BufferAssigner {
  private final Module module;
  private final Computation entry;
  private final List<Instruction> schedule;
  private final Map<Instruction, Integer> position = new IdentityHashMap<>();
  private final Map<Instruction, List<Value>> valuesOf = new IdentityHashMap<>();
  /** The value that owns each value's storage (itself unless it aliases another). */
  private final Map<Value, Value> owner = new HashMap<>();
  /** The schedule position of each owner's last use (through its aliases). */
  private final Map<Value, Integer> lastUse = new HashMap<>();
  private final Map<Value, Buffer> bufferOf = new HashMap<>();
  private final List<Buffer> buffers = new ArrayList<>();

  BufferAssigner(Module module) {
    this.module = module;
    this.entry = module.entry();
    this.schedule = entry.instructions();
  }

  BufferAssignment assign() {
    for (int t = 0; t < schedule.size(); t++) {
      position.put(schedule.get(t), t);
      defineValues(schedule.get(t));
    }
    computeLastUses();
    for (Instruction i : schedule) {
      placeValues(i);
    }
    List<Output> outputs = assignOutputs();
    List<Slot> slots = assignSlots();
    return new BufferAssignment(module, schedule, buffers, bufferOf, valuesOf, slots, outputs);
  }

  /** The values of {@code i}: new ones, or those of its operands for tuple plumbing. */
  private void defineValues(Instruction i) {
    List<Value> values = new ArrayList<>();
    switch (i.opcode()) {
      case TUPLE -> i.operands().forEach(op -> values.addAll(valuesOf.get(op)));
      case GET_TUPLE_ELEMENT -> {
        Shape tuple = i.operand(0).shape();
        int index = Math.toIntExact(i.requireAttr(Attr.INDEX));
        int first = 0;
        for (int k = 0; k < index; k++) {
          first += leafCount(tuple.tupleShape(k));
        }
        values.addAll(valuesOf.get(i.operand(0)).subList(first, first + leafCount(tuple.tupleShape(index))));
      }
      case BITCAST, RESHAPE -> {
        Value v = new Value(i, 0, i.shape());
        owner.put(v, owner.get(valuesOf.get(i.operand(0)).get(0)));
        values.add(v);
      }
      default -> {
        List<Shape> leaves = new ArrayList<>();
        flatten(i.shape(), leaves);
        for (int k = 0; k < leaves.size(); k++) {
          Value v = new Value(i, k, leaves.get(k));
          owner.put(v, v);
          values.add(v);
        }
      }
    }
    valuesOf.put(i, values);
  }

  /** An owner lives until its last reader, or to the end when the result includes it. */
  private void computeLastUses() {
    for (Instruction i : schedule) {
      for (Value v : valuesOf.get(i)) {
        lastUse.merge(owner.get(v), position.get(i), Math::max);
      }
      if (i.opcode() == Opcode.GET_TUPLE_ELEMENT) {
        continue; // reads only the element it names: its own values, merged above
      }
      for (Instruction op : i.operands()) {
        for (Value v : valuesOf.get(op)) {
          lastUse.merge(owner.get(v), position.get(i), Math::max);
        }
      }
    }
    for (Value v : valuesOf.get(entry.root())) {
      lastUse.put(owner.get(v), schedule.size());
    }
  }

  private void placeValues(Instruction i) {
    int t = position.get(i);
    for (Value v : valuesOf.get(i)) {
      if (v.instruction() != i || bufferOf.containsKey(v)) {
        continue; // a tuple element defined elsewhere
      }
      Value own = owner.get(v);
      if (own != v) {
        Buffer b = bufferOf.get(own);
        b.add(v, Sharing.ALIASES);
        bufferOf.put(v, b);
        continue;
      }
      Buffer inPlace = i.shape().isArray() ? inPlaceTarget(i, v) : null;
      if (inPlace != null) {
        inPlace.add(v, Sharing.IN_PLACE);
        inPlace.end = Math.max(inPlace.end, lastUse.get(v));
        bufferOf.put(v, inPlace);
        continue;
      }
      Kind kind = switch (i.opcode()) {
        case PARAMETER -> Kind.PARAMETER;
        case CONSTANT -> Kind.CONSTANT;
        default -> Kind.TEMPORARY;
      };
      Buffer b = new Buffer(buffers.size(), v, BufferSize.of(v.shape()), kind, kind == Kind.PARAMETER ? -1 : t,
          lastUse.get(v));
      if (kind == Kind.PARAMETER) {
        b.number = i.parameterNumber();
      }
      buffers.add(b);
      bufferOf.put(v, b);
    }
  }

  /**
   * The buffer of an operand {@code i} may overwrite with {@code v}: a temporary of the same size
   * whose last use is {@code i}, read only at the index {@code i} writes ({@link InPlaceRules}).
   */
  private Buffer inPlaceTarget(Instruction i, Value v) {
    int t = position.get(i);
    BufferSize size = BufferSize.of(v.shape());
    for (int k : InPlaceRules.candidates(i)) {
      Instruction operand = i.operand(k);
      if (!operand.shape().isArray()) {
        continue;
      }
      Buffer b = bufferOf.get(owner.get(valuesOf.get(operand).get(0)));
      if (b.kind() == Kind.TEMPORARY && b.end() == t && b.size().equals(size)
          && onlyReadAtCandidatePositions(i, b)) {
        return b;
      }
    }
    return null;
  }

  /** Every operand of {@code i} stored in {@code b} is one {@code i} reads only where it writes. */
  private boolean onlyReadAtCandidatePositions(Instruction i, Buffer b) {
    List<Integer> allowed = InPlaceRules.candidates(i);
    for (int k = 0; k < i.operandCount(); k++) {
      for (Value v : valuesOf.get(i.operand(k))) {
        if (bufferOf.get(owner.get(v)) == b && !allowed.contains(k)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Buffers of the result's leaves become outputs; a parameter, constant or repeated one is copied. */
  private List<Output> assignOutputs() {
    List<Output> outputs = new ArrayList<>();
    List<Value> results = valuesOf.get(entry.root());
    for (int k = 0; k < results.size(); k++) {
      Value v = results.get(k);
      Buffer b = bufferOf.get(owner.get(v));
      boolean copy = b.kind() != Kind.TEMPORARY;
      if (!copy) {
        b.kind = Kind.OUTPUT;
        b.number = k;
      }
      outputs.add(new Output(k, v, b, copy));
    }
    return outputs;
  }

  /** Packs the temporaries into slots ({@link SlotPacker}); a buffer's number becomes its slot. */
  private List<Slot> assignSlots() {
    List<Buffer> temporaries = buffers.stream().filter(b -> b.kind() == Kind.TEMPORARY).toList();
    SlotPacker.Packing packing = SlotPacker.pack(
        temporaries.stream().map(b -> new SlotPacker.LiveRange(b.start(), b.end(), b.size())).toList());
    List<Slot> slots = new ArrayList<>();
    for (int s = 0; s < packing.slotSizes().size(); s++) {
      List<Buffer> members = new ArrayList<>();
      for (int i : packing.members(s)) {
        Buffer b = temporaries.get(i);
        b.number = s;
        members.add(b);
      }
      slots.add(new Slot(s, packing.slotSizes().get(s), List.copyOf(members)));
    }
    return slots;
  }

  private static int leafCount(Shape shape) {
    List<Shape> leaves = new ArrayList<>();
    flatten(shape, leaves);
    return leaves.size();
  }

  private static void flatten(Shape shape, List<Shape> leaves) {
    if (shape.isTuple()) {
      shape.tupleShapes().forEach(s -> flatten(s, leaves));
    } else if (shape.isArray()) {
      leaves.add(shape);
    }
  }
}
