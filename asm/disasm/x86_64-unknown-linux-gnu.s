# pte-asm shims for x86_64-unknown-linux-gnu, objdump -d (AT&T), addresses and padding removed.
# Regenerate: PTE_ASM_BLESS=1 cargo test --release -p pte-asm --test instructions --target x86_64-unknown-linux-gnu

<pte_asm_load32>:
    mov (%rdi),%eax
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

<pte_asm_store32>:
    mov %edx,(%rdi)
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
