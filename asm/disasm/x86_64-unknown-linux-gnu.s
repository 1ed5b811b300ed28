# pte-asm shims for x86_64-unknown-linux-gnu, objdump -d (AT&T), addresses and padding removed.
# Regenerate: PTE_ASM_BLESS=1 cargo test --release -p pte-asm --test instructions --target x86_64-unknown-linux-gnu

<pte_asm_load32>:
    mov (%rdi),%eax
    mov %eax,%eax
    ret

<pte_asm_load32_indexed>:
    xor %eax,%eax
    mov (%rdi,%rax,1),%eax
    mov %eax,%eax
    ret

<pte_asm_split>:
    mov (%rsi),%eax
    mov 0x4(%rsi),%ecx
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_split_windowed>:
    mov (%rsi),%eax
    test %edx,%edx
    je <pte_asm_split_windowed+0xc>
    pause
    dec %edx
    jne <pte_asm_split_windowed+0x6>
    mov 0x4(%rsi),%edx
    shl $0x20,%rdx
    mov %eax,%eax
    or %rdx,%rax
    ret

<pte_asm_lowhigh>:
    mov (%rsi),%eax
    mov 0x4(%rsi),%ecx
    cmp (%rsi),%eax
    jne <pte_asm_lowhigh>
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_lowhigh_windowed>:
    mov %edx,%eax
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_lowhigh_windowed+0xe>
    pause
    dec %edx
    jne <pte_asm_lowhigh_windowed+0x8>
    mov 0x4(%rsi),%edx
    test %eax,%eax
    je <pte_asm_lowhigh_windowed+0x1b>
    pause
    dec %eax
    jne <pte_asm_lowhigh_windowed+0x15>
    cmp (%rsi),%ecx
    je <pte_asm_lowhigh_windowed+0x23>
    xor %edx,%edx
    jmp <pte_asm_lowhigh_windowed+0x2>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_lowhigh_lfence>:
    mov (%rsi),%eax
    lfence
    mov 0x4(%rsi),%ecx
    lfence
    cmp (%rsi),%eax
    jne <pte_asm_lowhigh_lfence>
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_lowhigh_lfence_windowed>:
    mov %edx,%eax
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_lowhigh_lfence_windowed+0xe>
    pause
    dec %edx
    jne <pte_asm_lowhigh_lfence_windowed+0x8>
    lfence
    mov 0x4(%rsi),%edx
    test %eax,%eax
    je <pte_asm_lowhigh_lfence_windowed+0x1e>
    pause
    dec %eax
    jne <pte_asm_lowhigh_lfence_windowed+0x18>
    lfence
    cmp (%rsi),%ecx
    je <pte_asm_lowhigh_lfence_windowed+0x29>
    xor %edx,%edx
    jmp <pte_asm_lowhigh_lfence_windowed+0x2>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_lowhigh_lockadd>:
    mov (%rsi),%eax
    lock addl $0x0,-0x4(%rsp)
    mov 0x4(%rsi),%ecx
    lock addl $0x0,-0x4(%rsp)
    cmp (%rsi),%eax
    jne <pte_asm_lowhigh_lockadd>
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_lowhigh_lockadd_windowed>:
    mov %edx,%eax
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_lowhigh_lockadd_windowed+0xe>
    pause
    dec %edx
    jne <pte_asm_lowhigh_lockadd_windowed+0x8>
    lock addl $0x0,-0x4(%rsp)
    mov 0x4(%rsi),%edx
    test %eax,%eax
    je <pte_asm_lowhigh_lockadd_windowed+0x21>
    pause
    dec %eax
    jne <pte_asm_lowhigh_lockadd_windowed+0x1b>
    lock addl $0x0,-0x4(%rsp)
    cmp (%rsi),%ecx
    je <pte_asm_lowhigh_lockadd_windowed+0x2f>
    xor %edx,%edx
    jmp <pte_asm_lowhigh_lockadd_windowed+0x2>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_cmpxchg8b>:
    mov %ebx,%eax
    mov %ecx,%edx
    lock cmpxchg8b (%rsi)
    shl $0x20,%rdx
    mov %eax,%eax
    or %rdx,%rax
    ret

<pte_asm_cmpxchg8b_nolock>:
    mov %ebx,%eax
    mov %ecx,%edx
    cmpxchg8b (%rsi)
    shl $0x20,%rdx
    mov %eax,%eax
    or %rdx,%rax
    ret

<pte_asm_movq_sse2>:
    movq (%rsi),%xmm0
    movd %xmm0,%eax
    psrlq $0x20,%xmm0
    movd %xmm0,%ecx
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_movq_mmx>:
    movq (%rsi),%mm0
    movd %mm0,%eax
    psrlq $0x20,%mm0
    movd %mm0,%ecx
    emms
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_fild>:
    lea -0x8(%rsp),%rax
    fildll (%rsi)
    fistpll (%rax)
    mov -0x8(%rsp),%rax
    ret

<pte_asm_seqcount>:
    mov (%rdi),%eax
    test $0x1,%eax
    je <pte_asm_seqcount+0xd>
    pause
    jmp <pte_asm_seqcount>
    mov (%rsi),%ecx
    mov 0x4(%rsi),%edx
    cmp (%rdi),%eax
    jne <pte_asm_seqcount>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_seqcount_windowed>:
    mov (%rdi),%eax
    test $0x1,%eax
    je <pte_asm_seqcount_windowed+0xd>
    pause
    jmp <pte_asm_seqcount_windowed>
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_seqcount_windowed+0x19>
    pause
    dec %edx
    jne <pte_asm_seqcount_windowed+0x13>
    mov 0x4(%rsi),%edx
    cmp (%rdi),%eax
    je <pte_asm_seqcount_windowed+0x24>
    xor %edx,%edx
    jmp <pte_asm_seqcount_windowed>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_native64>:
    mov (%rsi),%rax
    ret

<pte_asm_highlow>:
    mov 0x4(%rsi),%ecx
    mov (%rsi),%eax
    cmp 0x4(%rsi),%ecx
    jne <pte_asm_highlow>
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_highlow_windowed>:
    mov %edx,%eax
    mov 0x4(%rsi),%ecx
    test %edx,%edx
    je <pte_asm_highlow_windowed+0xf>
    pause
    dec %edx
    jne <pte_asm_highlow_windowed+0x9>
    mov (%rsi),%edx
    test %eax,%eax
    je <pte_asm_highlow_windowed+0x1b>
    pause
    dec %eax
    jne <pte_asm_highlow_windowed+0x15>
    cmp 0x4(%rsi),%ecx
    je <pte_asm_highlow_windowed+0x24>
    xor %edx,%edx
    jmp <pte_asm_highlow_windowed+0x2>
    shl $0x20,%rcx
    mov %edx,%eax
    or %rcx,%rax
    ret

<pte_asm_highlow_lfence>:
    mov 0x4(%rsi),%ecx
    lfence
    mov (%rsi),%eax
    lfence
    cmp 0x4(%rsi),%ecx
    jne <pte_asm_highlow_lfence>
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_highlow_lfence_windowed>:
    mov %edx,%eax
    mov 0x4(%rsi),%ecx
    test %edx,%edx
    je <pte_asm_highlow_lfence_windowed+0xf>
    pause
    dec %edx
    jne <pte_asm_highlow_lfence_windowed+0x9>
    lfence
    mov (%rsi),%edx
    test %eax,%eax
    je <pte_asm_highlow_lfence_windowed+0x1e>
    pause
    dec %eax
    jne <pte_asm_highlow_lfence_windowed+0x18>
    lfence
    cmp 0x4(%rsi),%ecx
    je <pte_asm_highlow_lfence_windowed+0x2a>
    xor %edx,%edx
    jmp <pte_asm_highlow_lfence_windowed+0x2>
    shl $0x20,%rcx
    mov %edx,%eax
    or %rcx,%rax
    ret

<pte_asm_lowhighlowhigh>:
    mov (%rsi),%eax
    mov 0x4(%rsi),%ecx
    cmp (%rsi),%eax
    jne <pte_asm_lowhighlowhigh>
    cmp 0x4(%rsi),%ecx
    jne <pte_asm_lowhighlowhigh>
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_lowhighlowhigh_windowed>:
    mov %edx,%eax
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_lowhighlowhigh_windowed+0xe>
    pause
    dec %edx
    jne <pte_asm_lowhighlowhigh_windowed+0x8>
    mov 0x4(%rsi),%edx
    test %eax,%eax
    je <pte_asm_lowhighlowhigh_windowed+0x1b>
    pause
    dec %eax
    jne <pte_asm_lowhighlowhigh_windowed+0x15>
    cmp (%rsi),%ecx
    je <pte_asm_lowhighlowhigh_windowed+0x23>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_windowed+0x2>
    cmp 0x4(%rsi),%edx
    je <pte_asm_lowhighlowhigh_windowed+0x2c>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_windowed+0x2>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_lowhighlowhigh_lfence>:
    mov (%rsi),%eax
    lfence
    mov 0x4(%rsi),%ecx
    lfence
    cmp (%rsi),%eax
    jne <pte_asm_lowhighlowhigh_lfence>
    lfence
    cmp 0x4(%rsi),%ecx
    jne <pte_asm_lowhighlowhigh_lfence>
    shl $0x20,%rcx
    mov %eax,%eax
    or %rcx,%rax
    ret

<pte_asm_lowhighlowhigh_lfence_windowed>:
    mov %edx,%eax
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_lowhighlowhigh_lfence_windowed+0xe>
    pause
    dec %edx
    jne <pte_asm_lowhighlowhigh_lfence_windowed+0x8>
    lfence
    mov 0x4(%rsi),%edx
    test %eax,%eax
    je <pte_asm_lowhighlowhigh_lfence_windowed+0x1e>
    pause
    dec %eax
    jne <pte_asm_lowhighlowhigh_lfence_windowed+0x18>
    lfence
    cmp (%rsi),%ecx
    je <pte_asm_lowhighlowhigh_lfence_windowed+0x29>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_lfence_windowed+0x2>
    lfence
    cmp 0x4(%rsi),%edx
    je <pte_asm_lowhighlowhigh_lfence_windowed+0x35>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_lfence_windowed+0x2>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_twice>:
    mov (%rsi),%eax
    mov 0x4(%rsi),%edi
    mov (%rsi),%ecx
    mov 0x4(%rsi),%edx
    cmp %ecx,%eax
    jne <pte_asm_twice+0x12>
    cmp %edx,%edi
    je <pte_asm_twice+0x18>
    mov %ecx,%eax
    mov %edx,%edi
    jmp <pte_asm_twice+0x5>
    shl $0x20,%rdi
    mov %eax,%eax
    or %rdi,%rax
    ret

<pte_asm_twice_windowed>:
    mov %edx,%eax
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_twice_windowed+0xe>
    pause
    dec %edx
    jne <pte_asm_twice_windowed+0x8>
    mov 0x4(%rsi),%edi
    test %eax,%eax
    je <pte_asm_twice_windowed+0x1b>
    pause
    dec %eax
    jne <pte_asm_twice_windowed+0x15>
    mov (%rsi),%edx
    mov 0x4(%rsi),%eax
    cmp %edx,%ecx
    jne <pte_asm_twice_windowed+0x28>
    cmp %eax,%edi
    je <pte_asm_twice_windowed+0x2e>
    mov %edx,%ecx
    mov %eax,%edi
    jmp <pte_asm_twice_windowed+0x1b>
    shl $0x20,%rdi
    mov %ecx,%eax
    or %rdi,%rax
    ret

<pte_asm_twice_lfence>:
    mov (%rsi),%eax
    lfence
    mov 0x4(%rsi),%edi
    lfence
    mov (%rsi),%ecx
    lfence
    mov 0x4(%rsi),%edx
    lfence
    cmp %ecx,%eax
    jne <pte_asm_twice_lfence+0x1e>
    cmp %edx,%edi
    je <pte_asm_twice_lfence+0x24>
    mov %ecx,%eax
    mov %edx,%edi
    jmp <pte_asm_twice_lfence+0xb>
    shl $0x20,%rdi
    mov %eax,%eax
    or %rdi,%rax
    ret

<pte_asm_twice_lfence_windowed>:
    mov %edx,%eax
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_twice_lfence_windowed+0xe>
    pause
    dec %edx
    jne <pte_asm_twice_lfence_windowed+0x8>
    lfence
    mov 0x4(%rsi),%edi
    test %eax,%eax
    je <pte_asm_twice_lfence_windowed+0x1e>
    pause
    dec %eax
    jne <pte_asm_twice_lfence_windowed+0x18>
    lfence
    mov (%rsi),%edx
    lfence
    mov 0x4(%rsi),%eax
    lfence
    cmp %edx,%ecx
    jne <pte_asm_twice_lfence_windowed+0x34>
    cmp %eax,%edi
    je <pte_asm_twice_lfence_windowed+0x3a>
    mov %edx,%ecx
    mov %eax,%edi
    jmp <pte_asm_twice_lfence_windowed+0x21>
    shl $0x20,%rdi
    mov %ecx,%eax
    or %rdi,%rax
    ret

<pte_asm_seqcount_lfence>:
    mov (%rdi),%eax
    test $0x1,%eax
    je <pte_asm_seqcount_lfence+0xd>
    pause
    jmp <pte_asm_seqcount_lfence>
    lfence
    mov (%rsi),%ecx
    mov 0x4(%rsi),%edx
    lfence
    cmp (%rdi),%eax
    jne <pte_asm_seqcount_lfence>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_seqcount_lfence_windowed>:
    mov (%rdi),%eax
    test $0x1,%eax
    je <pte_asm_seqcount_lfence_windowed+0xd>
    pause
    jmp <pte_asm_seqcount_lfence_windowed>
    lfence
    mov (%rsi),%ecx
    test %edx,%edx
    je <pte_asm_seqcount_lfence_windowed+0x1c>
    pause
    dec %edx
    jne <pte_asm_seqcount_lfence_windowed+0x16>
    mov 0x4(%rsi),%edx
    lfence
    cmp (%rdi),%eax
    je <pte_asm_seqcount_lfence_windowed+0x2a>
    xor %edx,%edx
    jmp <pte_asm_seqcount_lfence_windowed>
    shl $0x20,%rdx
    mov %ecx,%eax
    or %rdx,%rax
    ret

<pte_asm_store32>:
    mov %edx,(%rdi)
    xor %eax,%eax
    ret

<pte_asm_store32_indexed>:
    xor %eax,%eax
    mov %edx,(%rdi,%rax,1)
    xor %eax,%eax
    ret

<pte_asm_pae_set>:
    mov %ecx,0x4(%rsi)
    mov %edx,(%rsi)
    xor %eax,%eax
    ret

<pte_asm_pae_clear>:
    movl $0x0,(%rsi)
    movl $0x0,0x4(%rsi)
    xor %eax,%eax
    ret

<pte_asm_pae_set_low_first>:
    mov %edx,(%rsi)
    mov %ecx,0x4(%rsi)
    xor %eax,%eax
    ret

<pte_asm_pae_clear_high_first>:
    movl $0x0,0x4(%rsi)
    movl $0x0,(%rsi)
    xor %eax,%eax
    ret

<pte_asm_xchg64>:
    mov %edx,%edi
    mov %rbx,%r8
    mov %edi,%ebx
    mov (%rsi),%eax
    mov 0x4(%rsi),%edx
    lock cmpxchg8b (%rsi)
    jne <pte_asm_xchg64+0xc>
    mov %r8,%rbx
    shl $0x20,%rdx
    mov %eax,%eax
    or %rdx,%rax
    ret

<pte_asm_seqcount_set>:
    addl $0x1,(%rdi)
    mov %ecx,0x4(%rsi)
    mov %edx,(%rsi)
    addl $0x1,(%rdi)
    xor %eax,%eax
    ret

<pte_asm_seqcount_clear>:
    addl $0x1,(%rdi)
    movl $0x0,(%rsi)
    movl $0x0,0x4(%rsi)
    addl $0x1,(%rdi)
    xor %eax,%eax
    ret

<pte_asm_store64_sse2>:
    movd %edx,%xmm0
    movd %ecx,%xmm1
    punpckldq %xmm1,%xmm0
    movq %xmm0,(%rsi)
    xor %eax,%eax
    ret

<pte_asm_store64_fistp>:
    mov %edx,-0x8(%rsp)
    mov %ecx,-0x4(%rsp)
    lea -0x8(%rsp),%rax
    fildll (%rax)
    fistpll (%rsi)
    xor %eax,%eax
    ret

<pte_asm_store64>:
    shl $0x20,%rcx
    mov %edx,%eax
    or %rcx,%rax
    mov %rax,(%rsi)
    xor %eax,%eax
    ret

<pte_asm_lock_add32>:
    lock add %edx,(%rdi)
    xor %eax,%eax
    ret

<pte_asm_lock_add32_test>:
    lock add %edx,(%rdi)
    sete %cl
    sets %al
    xor %edx,%edx
    test %al,%al
    setne %dl
    xor %eax,%eax
    test %cl,%cl
    setne %al
    shl $0x20,%rdx
    or %rdx,%rax
    ret

<pte_asm_add32>:
    add %edx,(%rdi)
    xor %eax,%eax
    ret

<pte_asm_xchg32>:
    xchg %edx,(%rdi)
    mov %edx,%eax
    ret

<pte_asm_lock_cmpxchg32>:
    mov %edx,%eax
    lock cmpxchg %edx,(%rdi)
    mov %eax,%eax
    ret

<pte_asm_cmpxchg32>:
    mov %edx,%eax
    cmpxchg %edx,(%rdi)
    mov %eax,%eax
    ret

<pte_asm_lock_xadd32>:
    lock xadd %edx,(%rdi)
    mov %edx,%eax
    ret

<pte_asm_spin_lock32>:
    mov $0x1,%ecx
    mov $0x40,%edx
    xor %eax,%eax
    lock cmpxchg %ecx,(%rdi)
    je <pte_asm_spin_lock32+0x25>
    sub $0x1,%edx
    jb <pte_asm_spin_lock32+0x25>
    pause
    mov (%rdi),%eax
    test %eax,%eax
    jne <pte_asm_spin_lock32+0x12>
    lock cmpxchg %ecx,(%rdi)
    jne <pte_asm_spin_lock32+0x12>
    xor %ecx,%ecx
    test %eax,%eax
    sete %cl
    mov %rcx,%rax
    ret

<pte_asm_lock_add64>:
    shl $0x20,%rcx
    mov %edx,%eax
    or %rcx,%rax
    lock add %rax,(%rsi)
    xor %eax,%eax
    ret

<pte_asm_add64>:
    shl $0x20,%rcx
    mov %edx,%eax
    or %rcx,%rax
    add %rax,(%rsi)
    xor %eax,%eax
    ret

<pte_asm_xchg64q>:
    shl $0x20,%rcx
    mov %edx,%eax
    or %rcx,%rax
    xchg %rax,(%rsi)
    ret

<pte_asm_lock_xadd64>:
    shl $0x20,%rcx
    mov %edx,%eax
    or %rcx,%rax
    lock xadd %rax,(%rsi)
    ret

<pte_asm_lock_cmpxchg64>:
    shl $0x20,%rcx
    mov %edx,%edx
    or %rcx,%rdx
    mov %rdx,%rax
    lock cmpxchg %rdx,(%rsi)
    ret

<pte_asm_cmpxchg64>:
    shl $0x20,%rcx
    mov %edx,%edx
    or %rcx,%rdx
    mov %rdx,%rax
    cmpxchg %rdx,(%rsi)
    ret

<pte_asm_compiler_barrier>:
    ret

<pte_asm_lfence>:
    lfence
    ret

<pte_asm_sfence>:
    sfence
    ret

<pte_asm_mfence>:
    mfence
    ret

<pte_asm_lock_addl>:
    push %rax
    lock addl $0x0,-0x4(%rsp)
    pop %rax
    ret

<pte_asm_spin_pause>:
    mov $0x3,%eax
    test %eax,%eax
    je <pte_asm_spin_pause+0xf>
    pause
    dec %eax
    jne <pte_asm_spin_pause+0x9>
    ret

<pte_asm_add_chain>:
    mov $0x3,%eax
    xor %ecx,%ecx
    test %eax,%eax
    je <pte_asm_add_chain+0x3f>
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    add $0x1,%ecx
    dec %eax
    jne <pte_asm_add_chain+0xb>
    ret

<pte_asm_rdtsc>:
    rdtsc
    shl $0x20,%rdx
    mov %eax,%eax
    or %rdx,%rax
    ret

<pte_asm_rdtscp>:
    rdtscp
    shl $0x20,%rdx
    mov %eax,%eax
    or %rdx,%rax
    ret
