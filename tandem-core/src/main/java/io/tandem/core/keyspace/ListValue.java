package io.tandem.core.keyspace;

import java.util.Arrays;

/**
 * A list of byte strings: a ring buffer with O(1) push and pop at both ends and O(1) access by index
 * (LINDEX, LRANGE). Copied before change when a snapshot shares it (see epoch).
 */
public final class ListValue {
    private byte[][] ring;
    private int head; // index of the first element
    private int size;
    final int epoch;

    ListValue(int epoch) {
        this.ring = new byte[4][];
        this.epoch = epoch;
    }

    ListValue copy(int newEpoch) {
        ListValue copy = new ListValue(newEpoch);
        copy.ring = new byte[Math.max(4, Integer.highestOneBit(Math.max(1, size)) << 1)][];
        for (int i = 0; i < size; i++) {
            copy.ring[i] = get(i);
        }
        copy.size = size;
        return copy;
    }

    public int size() {
        return size;
    }

    /** Element at index 0 ≤ i < size, counted from the head. */
    public byte[] get(int i) {
        return ring[(head + i) & (ring.length - 1)];
    }

    void pushLeft(byte[] element) {
        grow();
        head = (head - 1) & (ring.length - 1);
        ring[head] = element;
        size++;
    }

    void pushRight(byte[] element) {
        grow();
        ring[(head + size) & (ring.length - 1)] = element;
        size++;
    }

    byte[] popLeft() {
        byte[] element = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        return element;
    }

    byte[] popRight() {
        int tail = (head + size - 1) & (ring.length - 1);
        byte[] element = ring[tail];
        ring[tail] = null;
        size--;
        return element;
    }

    /** Doubles the ring (its length stays a power of two, so "& (length - 1)" is the modulo). */
    private void grow() {
        if (size < ring.length) {
            return;
        }
        byte[][] bigger = new byte[ring.length * 2][];
        for (int i = 0; i < size; i++) {
            bigger[i] = get(i);
        }
        ring = bigger;
        head = 0;
    }

    @Override
    public String toString() {
        byte[][] items = new byte[size][];
        for (int i = 0; i < size; i++) {
            items[i] = get(i);
        }
        return Arrays.deepToString(items);
    }
}
