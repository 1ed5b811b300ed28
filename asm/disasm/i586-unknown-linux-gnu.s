# pte-asm shims for i586-unknown-linux-gnu, objdump -d (AT&T), addresses and padding removed.
# Regenerate: PTE_ASM_BLESS=1 cargo test --release -p pte-asm --test instructions --target i586-unknown-linux-gnu

<pte_asm_load32>:
    mov 0x4(%esp),%eax
    mov (%eax),%eax
    xor %edx,%edx
    ret

<pte_asm_load32_indexed>:
    mov 0x4(%esp),%eax
    xor %ecx,%ecx
    mov (%eax,%ecx,1),%eax
    xor %edx,%edx
    ret

<pte_asm_split>:
    mov 0x8(%esp),%ecx
    mov (%ecx),%eax
    mov 0x4(%ecx),%edx
    ret

<pte_asm_split_windowed>:
    mov 0x8(%esp),%ecx
    mov 0xc(%esp),%edx
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_split_windowed+0x13>
    pause
    dec %edx
    jne <pte_asm_split_windowed+0xe>
    mov 0x4(%ecx),%edx
    ret

<pte_asm_lowhigh>:
    mov 0x8(%esp),%ecx
    mov (%ecx),%eax
    mov 0x4(%ecx),%edx
    cmp (%ecx),%eax
    jne <pte_asm_lowhigh+0x4>
    ret

<pte_asm_lowhigh_windowed>:
    push %esi
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%edx
    mov %edx,%esi
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_lowhigh_windowed+0x16>
    pause
    dec %edx
    jne <pte_asm_lowhigh_windowed+0x11>
    mov 0x4(%ecx),%edx
    test %esi,%esi
    je <pte_asm_lowhigh_windowed+0x22>
    pause
    dec %esi
    jne <pte_asm_lowhigh_windowed+0x1d>
    cmp (%ecx),%eax
    je <pte_asm_lowhigh_windowed+0x2a>
    xor %edx,%edx
    jmp <pte_asm_lowhigh_windowed+0xb>
    pop %esi
    ret

<pte_asm_lowhigh_lockadd>:
    mov 0x8(%esp),%ecx
    mov (%ecx),%eax
    lock addl $0x0,-0x4(%esp)
    mov 0x4(%ecx),%edx
    lock addl $0x0,-0x4(%esp)
    cmp (%ecx),%eax
    jne <pte_asm_lowhigh_lockadd+0x4>
    ret

<pte_asm_lowhigh_lockadd_windowed>:
    push %esi
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%edx
    mov %edx,%esi
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_lowhigh_lockadd_windowed+0x16>
    pause
    dec %edx
    jne <pte_asm_lowhigh_lockadd_windowed+0x11>
    lock addl $0x0,-0x4(%esp)
    mov 0x4(%ecx),%edx
    test %esi,%esi
    je <pte_asm_lowhigh_lockadd_windowed+0x28>
    pause
    dec %esi
    jne <pte_asm_lowhigh_lockadd_windowed+0x23>
    lock addl $0x0,-0x4(%esp)
    cmp (%ecx),%eax
    je <pte_asm_lowhigh_lockadd_windowed+0x36>
    xor %edx,%edx
    jmp <pte_asm_lowhigh_lockadd_windowed+0xb>
    pop %esi
    ret

<pte_asm_cmpxchg8b>:
    mov 0x8(%esp),%ecx
    mov %ebx,%eax
    mov %ecx,%edx
    lock cmpxchg8b (%ecx)
    ret

<pte_asm_cmpxchg8b_nolock>:
    mov 0x8(%esp),%ecx
    mov %ebx,%eax
    mov %ecx,%edx
    cmpxchg8b (%ecx)
    ret

<pte_asm_movq_mmx>:
    mov 0x8(%esp),%ecx
    movq (%ecx),%mm0
    movd %mm0,%eax
    psrlq $0x20,%mm0
    movd %mm0,%edx
    emms
    ret

<pte_asm_fild>:
    sub $0xc,%esp
    mov 0x14(%esp),%eax
    mov %esp,%ecx
    fildll (%eax)
    fistpll (%ecx)
    mov (%esp),%eax
    mov 0x4(%esp),%edx
    add $0xc,%esp
    ret

<pte_asm_seqcount>:
    push %edi
    push %esi
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%esi
    mov (%ecx),%edi
    test $0x1,%edi
    je <pte_asm_seqcount+0x18>
    pause
    jmp <pte_asm_seqcount+0xa>
    mov (%esi),%eax
    mov 0x4(%esi),%edx
    cmp (%ecx),%edi
    jne <pte_asm_seqcount+0xa>
    pop %esi
    pop %edi
    ret

<pte_asm_seqcount_windowed>:
    push %edi
    push %esi
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%esi
    mov 0x14(%esp),%edx
    mov (%ecx),%edi
    test $0x1,%edi
    je <pte_asm_seqcount_windowed+0x1c>
    pause
    jmp <pte_asm_seqcount_windowed+0xe>
    mov (%esi),%eax
    test %edx,%edx
    je <pte_asm_seqcount_windowed+0x27>
    pause
    dec %edx
    jne <pte_asm_seqcount_windowed+0x22>
    mov 0x4(%esi),%edx
    cmp (%ecx),%edi
    je <pte_asm_seqcount_windowed+0x32>
    xor %edx,%edx
    jmp <pte_asm_seqcount_windowed+0xe>
    pop %esi
    pop %edi
    ret

<pte_asm_highlow>:
    mov 0x8(%esp),%ecx
    mov 0x4(%ecx),%edx
    mov (%ecx),%eax
    cmp 0x4(%ecx),%edx
    jne <pte_asm_highlow+0x4>
    ret

<pte_asm_highlow_windowed>:
    push %esi
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%eax
    mov %eax,%esi
    mov 0x4(%ecx),%edx
    test %eax,%eax
    je <pte_asm_highlow_windowed+0x17>
    pause
    dec %eax
    jne <pte_asm_highlow_windowed+0x12>
    mov (%ecx),%eax
    test %esi,%esi
    je <pte_asm_highlow_windowed+0x22>
    pause
    dec %esi
    jne <pte_asm_highlow_windowed+0x1d>
    cmp 0x4(%ecx),%edx
    je <pte_asm_highlow_windowed+0x2b>
    xor %eax,%eax
    jmp <pte_asm_highlow_windowed+0xb>
    pop %esi
    ret

<pte_asm_lowhighlowhigh>:
    mov 0x8(%esp),%ecx
    mov (%ecx),%eax
    mov 0x4(%ecx),%edx
    cmp (%ecx),%eax
    jne <pte_asm_lowhighlowhigh+0x4>
    cmp 0x4(%ecx),%edx
    jne <pte_asm_lowhighlowhigh+0x4>
    ret

<pte_asm_lowhighlowhigh_windowed>:
    push %esi
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%edx
    mov %edx,%esi
    mov (%ecx),%eax
    test %edx,%edx
    je <pte_asm_lowhighlowhigh_windowed+0x16>
    pause
    dec %edx
    jne <pte_asm_lowhighlowhigh_windowed+0x11>
    mov 0x4(%ecx),%edx
    test %esi,%esi
    je <pte_asm_lowhighlowhigh_windowed+0x22>
    pause
    dec %esi
    jne <pte_asm_lowhighlowhigh_windowed+0x1d>
    cmp (%ecx),%eax
    je <pte_asm_lowhighlowhigh_windowed+0x2a>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_windowed+0xb>
    cmp 0x4(%ecx),%edx
    je <pte_asm_lowhighlowhigh_windowed+0x33>
    xor %edx,%edx
    jmp <pte_asm_lowhighlowhigh_windowed+0xb>
    pop %esi
    ret

<pte_asm_twice>:
    push %edi
    push %esi
    mov 0x10(%esp),%ecx
    mov (%ecx),%eax
    mov 0x4(%ecx),%edx
    mov (%ecx),%esi
    mov 0x4(%ecx),%edi
    cmp %esi,%eax
    jne <pte_asm_twice+0x18>
    cmp %edi,%edx
    je <pte_asm_twice+0x1e>
    mov %esi,%eax
    mov %edi,%edx
    jmp <pte_asm_twice+0xb>
    pop %esi
    pop %edi
    ret

<pte_asm_twice_windowed>:
    push %edi
    push %esi
    mov 0x10(%esp),%ecx
    mov 0x14(%esp),%esi
    mov %esi,%edi
    mov (%ecx),%eax
    test %esi,%esi
    je <pte_asm_twice_windowed+0x17>
    pause
    dec %esi
    jne <pte_asm_twice_windowed+0x12>
    mov 0x4(%ecx),%edx
    test %edi,%edi
    je <pte_asm_twice_windowed+0x23>
    pause
    dec %edi
    jne <pte_asm_twice_windowed+0x1e>
    mov (%ecx),%esi
    mov 0x4(%ecx),%edi
    cmp %esi,%eax
    jne <pte_asm_twice_windowed+0x30>
    cmp %edi,%edx
    je <pte_asm_twice_windowed+0x36>
    mov %esi,%eax
    mov %edi,%edx
    jmp <pte_asm_twice_windowed+0x23>
    pop %esi
    pop %edi
    ret

<pte_asm_store32>:
    mov 0x4(%esp),%eax
    mov 0xc(%esp),%ecx
    mov %ecx,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_store32_indexed>:
    mov 0x4(%esp),%eax
    mov 0xc(%esp),%ecx
    xor %edx,%edx
    mov %ecx,(%eax,%edx,1)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_pae_set>:
    mov 0x8(%esp),%eax
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%edx
    mov %edx,0x4(%eax)
    mov %ecx,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_pae_clear>:
    mov 0x8(%esp),%eax
    movl $0x0,(%eax)
    movl $0x0,0x4(%eax)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_pae_set_low_first>:
    mov 0x8(%esp),%eax
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%edx
    mov %ecx,(%eax)
    mov %edx,0x4(%eax)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_pae_clear_high_first>:
    mov 0x8(%esp),%eax
    movl $0x0,0x4(%eax)
    movl $0x0,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_xchg64>:
    push %ebx
    push %esi
    mov 0x10(%esp),%esi
    mov 0x14(%esp),%ebx
    mov 0x18(%esp),%ecx
    mov (%esi),%eax
    mov 0x4(%esi),%edx
    lock cmpxchg8b (%esi)
    jne <pte_asm_xchg64+0x13>
    pop %esi
    pop %ebx
    ret

<pte_asm_seqcount_set>:
    push %esi
    mov 0x8(%esp),%eax
    mov 0xc(%esp),%ecx
    mov 0x10(%esp),%edx
    mov 0x14(%esp),%esi
    addl $0x1,(%eax)
    mov %esi,0x4(%ecx)
    mov %edx,(%ecx)
    addl $0x1,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    pop %esi
    ret

<pte_asm_seqcount_clear>:
    mov 0x4(%esp),%eax
    mov 0x8(%esp),%ecx
    addl $0x1,(%eax)
    movl $0x0,(%ecx)
    movl $0x0,0x4(%ecx)
    addl $0x1,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_store64_fistp>:
    sub $0xc,%esp
    mov 0x14(%esp),%eax
    mov 0x1c(%esp),%ecx
    mov 0x18(%esp),%edx
    mov %edx,(%esp)
    mov %ecx,0x4(%esp)
    mov %esp,%ecx
    fildll (%ecx)
    fistpll (%eax)
    xor %eax,%eax
    xor %edx,%edx
    add $0xc,%esp
    ret

<pte_asm_lock_add32>:
    mov 0x4(%esp),%eax
    mov 0xc(%esp),%ecx
    lock add %ecx,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_lock_add32_test>:
    push %ebx
    mov 0x8(%esp),%edx
    mov 0x10(%esp),%ecx
    lock add %ecx,(%edx)
    sete %bl
    sets %al
    xor %edx,%edx
    test %al,%al
    setne %dl
    xor %eax,%eax
    test %bl,%bl
    setne %al
    pop %ebx
    ret

<pte_asm_add32>:
    mov 0x4(%esp),%eax
    mov 0xc(%esp),%ecx
    add %ecx,(%eax)
    xor %eax,%eax
    xor %edx,%edx
    ret

<pte_asm_xchg32>:
    mov 0x4(%esp),%ecx
    mov 0xc(%esp),%eax
    xchg %eax,(%ecx)
    xor %edx,%edx
    ret

<pte_asm_lock_cmpxchg32>:
    mov 0x4(%esp),%edx
    mov 0xc(%esp),%ecx
    mov %ecx,%eax
    lock cmpxchg %ecx,(%edx)
    xor %edx,%edx
    ret

<pte_asm_cmpxchg32>:
    mov 0x4(%esp),%edx
    mov 0xc(%esp),%ecx
    mov %ecx,%eax
    cmpxchg %ecx,(%edx)
    xor %edx,%edx
    ret

<pte_asm_lock_xadd32>:
    mov 0x4(%esp),%ecx
    mov 0xc(%esp),%eax
    lock xadd %eax,(%ecx)
    xor %edx,%edx
    ret

<pte_asm_spin_lock32>:
    push %esi
    mov 0x8(%esp),%ecx
    mov $0x1,%edx
    mov $0x40,%esi
    xor %eax,%eax
    lock cmpxchg %edx,(%ecx)
    je <pte_asm_spin_lock32+0x2a>
    sub $0x1,%esi
    jb <pte_asm_spin_lock32+0x2a>
    pause
    mov (%ecx),%eax
    test %eax,%eax
    jne <pte_asm_spin_lock32+0x17>
    lock cmpxchg %edx,(%ecx)
    jne <pte_asm_spin_lock32+0x17>
    xor %ecx,%ecx
    test %eax,%eax
    sete %cl
    mov %ecx,%eax
    xor %edx,%edx
    pop %esi
    ret

<pte_asm_lock_cmpxchg8b_swap>:
    push %ebx
    push %esi
    mov 0x10(%esp),%esi
    mov 0x14(%esp),%eax
    mov 0x18(%esp),%ecx
    mov %eax,%ebx
    mov %ecx,%edx
    lock cmpxchg8b (%esi)
    pop %esi
    pop %ebx
    ret

<pte_asm_compiler_barrier>:
    ret

<pte_asm_lock_addl>:
    sub $0xc,%esp
    lock addl $0x0,-0x4(%esp)
    add $0xc,%esp
    ret

<pte_asm_spin_pause>:
    mov $0x3,%eax
    test %eax,%eax
    je <pte_asm_spin_pause+0xe>
    pause
    dec %eax
    jne <pte_asm_spin_pause+0x9>
    ret

<pte_asm_add_chain>:
    mov $0x3,%eax
    xor %ecx,%ecx
    test %eax,%eax
    je <pte_asm_add_chain+0x3e>
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
    ret

<pte_asm_rdtscp>:
    rdtscp
    ret
