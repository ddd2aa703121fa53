# The booth's live screen (booth-agent/src/live.rs).
kiosk-title = 个人编号卡照片
kiosk-language = 语言
kiosk-attract = 请将申请书上的二维码对准摄像头
kiosk-form = 已读取申请书。请面向摄像头
kiosk-accept = 将用这张照片提交申请
kiosk-review = 这张照片将由工作人员确认
kiosk-reject = 这张照片不符合要求，请重新拍摄
kiosk-hold = 请保持不动
kiosk-choose = 重拍次数已用完，请选择
kiosk-submit = 用最好的一张照片申请（由工作人员确认）
kiosk-cancel = 取消并退款
