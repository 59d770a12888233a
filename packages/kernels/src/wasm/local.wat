;; The per-core local kernels in WebAssembly SIMD (packages/kernels/src/local.ts has the JavaScript versions,
;; which are the oracle). Every result is bit-identical to the JavaScript version: the same products and sums
;; in the same order, in float64 where JavaScript computes in float64, rounded to float32 where it stores into a
;; Float32Array. SIMD runs across independent outputs (two float64 lanes), never across one sum.
;; Pointers are byte offsets into the thread's local heap (the imported shared memory).
;; Two shuffles recur, written out where used (V8 does not inline small wasm functions here):
;;   (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 v v): lanes 2 and 3 of a float32x4 moved to 0 and 1,
;;     for promote_low;
;;   (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (demote lo) (demote hi)): two float64x2 rounded to
;;     float32 and packed into one float32x4 (lo0, lo1, hi0, hi1).
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; y[n] = x[m] · W[m×n], W row-major: y_j = Σ_i x_i·W_ij summed in float64, i ascending.
  (func (export "gemv") (param $x i32) (param $w i32) (param $y i32) (param $m i32) (param $n i32)
    (local $j i32) (local $i i32) (local $wp i32) (local $xp i32) (local $row i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $xi v128) (local $v v128) (local $u v128)
    (local $s f64)
    (local.set $row (i32.shl (local.get $n) (i32.const 2)))
    ;; eight outputs at a time: four float64x2 accumulators, kept in registers down the whole column block
    (block $end8 (loop $j8
      (br_if $end8 (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
      (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0))
      (local.set $a2 (v128.const i64x2 0 0)) (local.set $a3 (v128.const i64x2 0 0))
      (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $xp (local.get $x))
      (local.set $i (local.get $m))
      (block $ie (loop $il
        (br_if $ie (i32.eqz (local.get $i)))
        (local.set $xi (f64x2.splat (f64.promote_f32 (f32.load (local.get $xp)))))
        (local.set $v (v128.load (local.get $wp)))
        (local.set $u (v128.load offset=16 (local.get $wp)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $xi) (f64x2.promote_low_f32x4 (local.get $v)))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $xi) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $xi) (f64x2.promote_low_f32x4 (local.get $u)))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $xi) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u) (local.get $u))))))
        (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
        (local.set $wp (i32.add (local.get $wp) (local.get $row)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $il)))
      (local.set $wp (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2))))
      (v128.store (local.get $wp) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $a0)) (f32x4.demote_f64x2_zero (local.get $a1))))
      (v128.store offset=16 (local.get $wp) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $a2)) (f32x4.demote_f64x2_zero (local.get $a3))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $j8)))
    ;; the remaining outputs one by one
    (block $end1 (loop $j1
      (br_if $end1 (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $s (f64.const 0))
      (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $xp (local.get $x))
      (local.set $i (local.get $m))
      (block $ie1 (loop $il1
        (br_if $ie1 (i32.eqz (local.get $i)))
        (local.set $s (f64.add (local.get $s) (f64.mul (f64.promote_f32 (f32.load (local.get $xp))) (f64.promote_f32 (f32.load (local.get $wp))))))
        (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
        (local.set $wp (i32.add (local.get $wp) (local.get $row)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $il1)))
      (f32.store (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2))) (f32.demote_f64 (local.get $s)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $j1))))

  ;; C[m×n] += A[m×k] · B[k×n], row-major: each c_ij += a_ik·b_kj for k ascending, every step rounded to
  ;; float32 (as storing into a Float32Array does), the product and the sum in float64.
  (func (export "gemm") (param $c i32) (param $a i32) (param $b i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $kk i32) (local $cp i32) (local $ap i32) (local $bp i32) (local $row i32)
    (local $cv v128) (local $bv v128) (local $av v128) (local $lo v128) (local $hi v128) (local $s f32)
    (local.set $row (i32.shl (local.get $n) (i32.const 2)))
    (block $ei (loop $li
      (br_if $ei (i32.ge_s (local.get $i) (local.get $m)))
      (local.set $j (i32.const 0))
      ;; four outputs of row i at a time
      (block $ej4 (loop $lj4
        (br_if $ej4 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $row))) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $cv (v128.load (local.get $cp)))
        (local.set $ap (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (local.get $k))
        (block $ek (loop $lk
          (br_if $ek (i32.eqz (local.get $kk)))
          (local.set $av (f64x2.splat (f64.promote_f32 (f32.load (local.get $ap)))))
          (local.set $bv (v128.load (local.get $bp)))
          (local.set $lo (f64x2.add (f64x2.promote_low_f32x4 (local.get $cv)) (f64x2.mul (local.get $av) (f64x2.promote_low_f32x4 (local.get $bv)))))
          (local.set $hi (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $cv) (local.get $cv))) (f64x2.mul (local.get $av) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $bv) (local.get $bv))))))
          (local.set $cv (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
          (local.set $bp (i32.add (local.get $bp) (local.get $row)))
          (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
          (br $lk)))
        (v128.store (local.get $cp) (local.get $cv))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $lj4)))
      ;; the rest of row i one by one
      (block $ej1 (loop $lj1
        (br_if $ej1 (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $row))) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $s (f32.load (local.get $cp)))
        (local.set $ap (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (local.get $k))
        (block $ek1 (loop $lk1
          (br_if $ek1 (i32.eqz (local.get $kk)))
          (local.set $s (f32.demote_f64 (f64.add (f64.promote_f32 (local.get $s)) (f64.mul (f64.promote_f32 (f32.load (local.get $ap))) (f64.promote_f32 (f32.load (local.get $bp)))))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
          (local.set $bp (i32.add (local.get $bp) (local.get $row)))
          (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
          (br $lk1)))
        (f32.store (local.get $cp) (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $lj1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $li))))

  ;; S[m×n] += Q[m×d] · K[n×d]ᵀ (rows of K are keys): each dot product in float64, t ascending, then added to
  ;; s_ij (float64 sum, rounded to float32). Two keys at a time, one float64 lane each.
  (func (export "gemmTransB") (param $s i32) (param $q i32) (param $kp i32) (param $m i32) (param $d i32) (param $n i32)
    (local $i i32) (local $j i32) (local $t i32) (local $qp i32) (local $k0 i32) (local $k1 i32) (local $sp i32)
    (local $acc v128) (local $qv v128) (local $kv v128) (local $a f64) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (block $ei (loop $li
      (br_if $ei (i32.ge_s (local.get $i) (local.get $m)))
      (local.set $j (i32.const 0))
      (block $ej2 (loop $lj2
        (br_if $ej2 (i32.gt_s (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $qp (i32.add (local.get $q) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $k0 (i32.add (local.get $kp) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $k1 (i32.add (local.get $k0) (local.get $rowBytes)))
        (local.set $t (local.get $d))
        (block $et (loop $lt
          (br_if $et (i32.eqz (local.get $t)))
          (local.set $qv (f64x2.splat (f64.promote_f32 (f32.load (local.get $qp)))))
          (local.set $kv (f64x2.replace_lane 1 (f64x2.splat (f64.promote_f32 (f32.load (local.get $k0)))) (f64.promote_f32 (f32.load (local.get $k1)))))
          (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $qv) (local.get $kv))))
          (local.set $qp (i32.add (local.get $qp) (i32.const 4)))
          (local.set $k0 (i32.add (local.get $k0) (i32.const 4)))
          (local.set $k1 (i32.add (local.get $k1) (i32.const 4)))
          (local.set $t (i32.sub (local.get $t) (i32.const 1)))
          (br $lt)))
        (local.set $sp (i32.add (local.get $s) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
        (f32.store (local.get $sp) (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (local.get $sp))) (f64x2.extract_lane 0 (local.get $acc)))))
        (f32.store offset=4 (local.get $sp) (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load offset=4 (local.get $sp))) (f64x2.extract_lane 1 (local.get $acc)))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $lj2)))
      (if (i32.lt_s (local.get $j) (local.get $n)) (then
        (local.set $a (f64.const 0))
        (local.set $qp (i32.add (local.get $q) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $k0 (i32.add (local.get $kp) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $t (local.get $d))
        (block $et1 (loop $lt1
          (br_if $et1 (i32.eqz (local.get $t)))
          (local.set $a (f64.add (local.get $a) (f64.mul (f64.promote_f32 (f32.load (local.get $qp))) (f64.promote_f32 (f32.load (local.get $k0))))))
          (local.set $qp (i32.add (local.get $qp) (i32.const 4)))
          (local.set $k0 (i32.add (local.get $k0) (i32.const 4)))
          (local.set $t (i32.sub (local.get $t) (i32.const 1)))
          (br $lt1)))
        (local.set $sp (i32.add (local.get $s) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
        (f32.store (local.get $sp) (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (local.get $sp))) (local.get $a))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $li))))

;; Decode attention, scores: out[(g·nrep + r)·count + t] += q[r·b + jl] · keys[t·b + jl] over this core's b kv
;; units jl (g = (kvOff + jl) / headDim, the unit's kv head), each step rounded to float32 (out is a Float32Array),
;; jl ascending for every output.
  (func (export "attnScores") (param $out i32) (param $q i32) (param $keys i32) (param $b i32) (param $count i32)
        (param $nrep i32) (param $kvOff i32) (param $headDim i32)
    (local $t i32) (local $jl i32) (local $r i32) (local $g i32) (local $kv f64) (local $op i32)
    (block $et (loop $lt
      (br_if $et (i32.ge_s (local.get $t) (local.get $count)))
      (local.set $jl (i32.const 0))
      (block $ej (loop $lj
        (br_if $ej (i32.ge_s (local.get $jl) (local.get $b)))
        (local.set $g (i32.div_u (i32.add (local.get $kvOff) (local.get $jl)) (local.get $headDim)))
        (local.set $kv (f64.promote_f32 (f32.load (i32.add (local.get $keys) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $b)) (local.get $jl)) (i32.const 2))))))
        (local.set $r (i32.const 0))
        (block $er (loop $lr
          (br_if $er (i32.ge_s (local.get $r) (local.get $nrep)))
          (local.set $op (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $g) (local.get $nrep)) (local.get $r)) (local.get $count)) (local.get $t)) (i32.const 2))))
          (f32.store (local.get $op) (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (local.get $op)))
            (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $q) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $b)) (local.get $jl)) (i32.const 2))))) (local.get $kv)))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $lr)))
        (local.set $jl (i32.add (local.get $jl) (i32.const 1)))
        (br $lj)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $lt))))

;; Decode attention, values: out[r·b + jl] = Σ_t probs[h·count + t] · values[t·b + jl] with h = g·nrep + r,
;; summed in float64, t ascending, rounded to float32 once.
  (func (export "attnValues") (param $out i32) (param $probs i32) (param $values i32) (param $b i32) (param $count i32)
        (param $nrep i32) (param $kvOff i32) (param $headDim i32)
    (local $t i32) (local $jl i32) (local $r i32) (local $g i32) (local $a f64) (local $pp i32) (local $vp i32) (local $row i32)
    (local.set $row (i32.shl (local.get $b) (i32.const 2)))
    (block $ej (loop $lj
      (br_if $ej (i32.ge_s (local.get $jl) (local.get $b)))
      (local.set $g (i32.div_u (i32.add (local.get $kvOff) (local.get $jl)) (local.get $headDim)))
      (local.set $r (i32.const 0))
      (block $er (loop $lr
        (br_if $er (i32.ge_s (local.get $r) (local.get $nrep)))
        (local.set $a (f64.const 0))
        (local.set $pp (i32.add (local.get $probs) (i32.shl (i32.mul (i32.add (i32.mul (local.get $g) (local.get $nrep)) (local.get $r)) (local.get $count)) (i32.const 2))))
        (local.set $vp (i32.add (local.get $values) (i32.shl (local.get $jl) (i32.const 2))))
        (local.set $t (local.get $count))
        (block $et (loop $lt
          (br_if $et (i32.eqz (local.get $t)))
          (local.set $a (f64.add (local.get $a) (f64.mul (f64.promote_f32 (f32.load (local.get $pp))) (f64.promote_f32 (f32.load (local.get $vp))))))
          (local.set $pp (i32.add (local.get $pp) (i32.const 4)))
          (local.set $vp (i32.add (local.get $vp) (local.get $row)))
          (local.set $t (i32.sub (local.get $t) (i32.const 1)))
          (br $lt)))
        (f32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $b)) (local.get $jl)) (i32.const 2))) (f32.demote_f64 (local.get $a)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lr)))
      (local.set $jl (i32.add (local.get $jl) (i32.const 1)))
      (br $lj))))

;; acc[i] += v[i] for i < n. A float32 sum rounded once from float64 is the correctly rounded float32 sum (float64
;; has more than twice float32's precision), so f32x4.add gives what JavaScript stores: four at a time, then one by one.
;; (Counted down, not compared with an end address, which would wrap for a block at the top of a 4 GiB memory.)
  (func (export "addInto") (param $acc i32) (param $v i32) (param $n i32)
    (local $k i32)
    (local.set $k (i32.shr_u (local.get $n) (i32.const 2)))
    (block $e4 (loop $l4
      (br_if $e4 (i32.eqz (local.get $k)))
      (v128.store (local.get $acc) (f32x4.add (v128.load (local.get $acc)) (v128.load (local.get $v))))
      (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l4)))
    (local.set $k (i32.and (local.get $n) (i32.const 3)))
    (block $e1 (loop $l1
      (br_if $e1 (i32.eqz (local.get $k)))
      (f32.store (local.get $acc) (f32.add (f32.load (local.get $acc)) (f32.load (local.get $v))))
      (local.set $acc (i32.add (local.get $acc) (i32.const 4)))
      (local.set $v (i32.add (local.get $v) (i32.const 4)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l1))))

;; acc[i] = v[i] where v[i] > acc[i], for i < n: a lane keeps acc unless the comparison holds, exactly as the
;; JavaScript `if (v[i] > acc[i]) acc[i] = v[i]` (a NaN on either side, or -0 against +0, keeps acc).
  (func (export "maxInto") (param $acc i32) (param $v i32) (param $n i32)
    (local $k i32) (local $a v128) (local $b v128)
    (local.set $k (i32.shr_u (local.get $n) (i32.const 2)))
    (block $e4 (loop $l4
      (br_if $e4 (i32.eqz (local.get $k)))
      (local.set $a (v128.load (local.get $acc)))
      (local.set $b (v128.load (local.get $v)))
      (v128.store (local.get $acc) (v128.bitselect (local.get $b) (local.get $a) (f32x4.gt (local.get $b) (local.get $a))))
      (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l4)))
    (local.set $k (i32.and (local.get $n) (i32.const 3)))
    (block $e1 (loop $l1
      (br_if $e1 (i32.eqz (local.get $k)))
      (if (f32.gt (f32.load (local.get $v)) (f32.load (local.get $acc)))
        (then (f32.store (local.get $acc) (f32.load (local.get $v)))))
      (local.set $acc (i32.add (local.get $acc) (i32.const 4)))
      (local.set $v (i32.add (local.get $v) (i32.const 4)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $l1))))
)
